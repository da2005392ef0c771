"""Opening the store: an engine on any SQLAlchemy URL, migrated to the latest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
IDS_PER_QUERY = 500
"""Ids per `IN (...)` of one query: below every database's parameter limit."""


def open_store(url: str) -> Engine:
    """An engine on `url` with the schema created or upgraded (Alembic `head`).

    SQLite files get their folder created, foreign keys enforced and WAL journaling.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    upgrade_schema(engine)
    return engine


def upgrade_schema(engine: Engine) -> None:
    """Run the Alembic migrations up to `head` on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
