"""`radar evaluate`: the champion's offline metrics on the store's held-out placements."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radar.service.registry import LoadedModel, load_champion
from radar.store.matching_data import load_matching_data
from training.offline import EvaluationReport, evaluate_model


def evaluate_champion(
    engine: Engine, *, tracking_uri: str, model_name: str, cache: Path, min_fit: float
) -> tuple[LoadedModel, EvaluationReport]:
    """The champion (downloaded into `cache` once) and its evaluation on the store's data,
    with the profile, shrinkage and category settings it was trained with."""
    loaded = load_champion(tracking_uri, model_name, cache)
    model = loaded.model
    data = load_matching_data(engine, model)
    return loaded, evaluate_model(model, data, min_fit=min_fit)
