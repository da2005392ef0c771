"""The registry's champion, scoring over a store: what `radar recommend` and `radar demo`
answer with."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radar.service.options import ListOptions
from radar.service.registry import LoadedModel, load_champion
from radar.service.service import RadarService
from radar.settings import Settings


def champion_recommender(
    engine: Engine, *, tracking_uri: str, model_name: str, cache: Path, settings: Settings
) -> tuple[LoadedModel, RadarService]:
    """The champion (downloaded into `cache` once), and a recommender scoring with it
    over the store (with the settings' list options)."""
    loaded = load_champion(tracking_uri, model_name, cache)
    service = RadarService(
        engine, loaded.model, model_version=loaded.version, options=ListOptions.of(settings)
    )
    return loaded, service
