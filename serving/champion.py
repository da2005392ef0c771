"""The registry's champion, scoring over a store: what `radar recommend` and `radar demo`
answer with."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radar.service.registry import LoadedModel, load_champion
from radar.service.service import RadarService


def champion_recommender(
    engine: Engine, *, tracking_uri: str, model_name: str, cache: Path
) -> tuple[LoadedModel, RadarService]:
    """The champion (downloaded into `cache` once), and a recommender scoring with it
    over the store."""
    loaded = load_champion(tracking_uri, model_name, cache)
    return loaded, RadarService(engine, loaded.model, model_version=loaded.version)
