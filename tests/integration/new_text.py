"""New comments for one host, ingested into a store the way an operator's folder would be:
what makes a host's stored list stale; and a service on a writable home that sees them."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine

from radar.ingest import ingest_directory
from radar.matching.model import RadarModel
from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store

LINES = ["这款蓝牙耳机降噪效果怎么样", "耳机续航多久", "想要一个降噪耳机"] * 20
"""Sixty comments about noise-cancelling earphones."""


def ingest_new_comments(engine: Engine, settings: Settings, folder: Path, host: str) -> None:
    """Ingest `LINES` as new comments of `host` (written under `folder`)."""
    folder.mkdir()
    (folder / "comments.csv").write_text(
        "comment_id,streamer_id,created_at,text\n"
        + "".join(
            f"new-{n},{host},2026-12-01T20:{n % 60:02d}:00,{text}\n" for n, text in enumerate(LINES)
        ),
        encoding="utf-8",
    )
    ingest_directory(
        folder,
        engine,
        quarantine_root=folder.parent / "q",
        max_text_chars=settings.max_text_chars(),
    )


class RunningHome(NamedTuple):
    settings: Settings
    engine: Engine
    model: RadarModel
    service: RadarService
    """Reads every host's profile afresh at each request (`profile_ttl` 0)."""


def running_home(home: Path) -> RunningHome:
    """`home`'s settings, store and champion, and a service on them as version "1" that
    sees new text at once."""
    settings = Settings(home=home)
    engine = open_store(settings.resolved_database_url)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    service = RadarService(engine, loaded.model, model_version="1", profile_ttl=0.0)
    return RunningHome(settings, engine, loaded.model, service)
