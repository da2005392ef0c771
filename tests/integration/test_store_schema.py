"""The Alembic migrations build exactly the schema the models describe."""

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from radar.store import open_store
from radar.store.models import Base, Streamer


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_is_harmless(tmp_path: Path) -> None:
    """A store already at the latest schema is only read when opened again: it opens while
    another command holds the write lock, and its rows stay."""
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    first = open_store(url)
    with first.begin() as connection:
        connection.execute(insert(Streamer).values(streamer_id="h1", name="一号"))
    writer = sqlite3.connect(tmp_path / "radar.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another command writing: a migration would wait
    try:
        again = open_store(url, busy_timeout=0.1)
    finally:
        writer.rollback()
        writer.close()
    with again.connect() as connection:
        assert connection.execute(select(Streamer.streamer_id, Streamer.name)).all() == [
            ("h1", "一号")
        ]
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
