"""New comments for one host, ingested into a store the way an operator's folder would be:
what makes a host's stored list stale."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radar.ingest import ingest_directory
from radar.settings import Settings

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
