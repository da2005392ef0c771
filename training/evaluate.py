"""`radar evaluate`: the champion's offline metrics on the store's held-out placements; and
the champion measured again on a challenger's data, for the promotion gate."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from features.documents import Document
from radar.service.registry import LoadedModel, load_champion
from radar.store.matching_data import load_matching_data
from training.gate import GATES
from training.offline import EvaluationReport, evaluate_model
from training.topics import evaluate_topic_model


def evaluate_champion(
    engine: Engine, *, tracking_uri: str, model_name: str, cache: Path, min_fit: float
) -> tuple[LoadedModel, EvaluationReport]:
    """The champion (downloaded into `cache` once) and its evaluation on the store's data,
    with the profile, shrinkage and category settings it was trained with."""
    loaded = load_champion(tracking_uri, model_name, cache)
    model = loaded.model
    data = load_matching_data(engine, model)
    return loaded, evaluate_model(model, data, min_fit=min_fit)


def champion_on_same_data(
    engine: Engine,
    *,
    tracking_uri: str,
    model_name: str,
    documents: list[Document],
    train_texts: Sequence[str],
    held_texts: Sequence[str],
    min_fit: float,
) -> dict[str, float]:
    """The gated metrics of the current champion measured on a challenger's data: its
    topics' coherence over the challenger's documents, its fits over the challenger's
    held-out placements (the latest fifth of the store's). What the gate compares the
    challenger with: the metrics logged when the champion was trained were measured on
    older data, and weeks that changed since (a drifted category) would count against the
    challenger alone."""
    with tempfile.TemporaryDirectory() as cache:  # the files live while the model is used
        model = load_champion(tracking_uri, model_name, Path(cache)).model
        data = load_matching_data(engine, model, documents=documents)
        report = evaluate_model(model, data, min_fit=min_fit)
        quality = evaluate_topic_model(model.topics, held_texts, train_texts)
    measured = {**quality.as_metrics(), **report.metrics}
    return {gate.metric: measured[gate.metric] for gate in GATES if gate.metric in measured}
