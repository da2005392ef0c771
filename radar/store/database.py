"""Opening the store: an engine on any SQLAlchemy URL, migrated to the latest schema.

Several radar commands may write at once (an ingest, a batch, a server saving the host
profiles of a new champion). Each waits for the store's write lock up to a busy timeout
(SQLite's busy handler, PostgreSQL's `lock_timeout`) and then stops with
`StoreBusyError`, one line saying who holds the store and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url

from radar.errors import StoreBusyError

MIGRATIONS = Path(__file__).with_name("migrations")
IDS_PER_QUERY = 500
"""Ids per `IN (...)` of one query: below every database's parameter limit."""
BUSY_TIMEOUT_SECONDS = 60.0
"""How long a write waits for another command's write to finish, by default."""
_SQLITE_BUSY = 5  # SQLITE_BUSY, the primary result code of "database is locked"
_POSTGRES_BUSY_STATES = ("55P03", "40P01")  # lock_not_available, deadlock_detected
_MIGRATION_LOCK = 7_316_117  # PostgreSQL advisory lock key: one migrating command at a time


def open_store(url: str, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Engine:
    """An engine on `url` with the schema created or upgraded (Alembic `head`).

    SQLite files get their folder created, foreign keys enforced and WAL journaling (readers
    never wait for a writer). A write waits up to `busy_timeout` seconds for another
    command's write, then raises `StoreBusyError`.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        if parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = busy_timeout
    engine = create_engine(url, connect_args=connect_args)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif backend == "postgresql":
        event.listen(engine, "connect", _postgres_lock_timeout(busy_timeout))
    event.listen(engine, "handle_error", _raise_busy)
    upgrade_schema(engine)
    return engine


def lock_for_writing(connection: Connection) -> None:
    """Start `connection`'s transaction holding the write lock (SQLite's `BEGIN
    IMMEDIATE`), waiting for it up to the busy timeout. Call it first in a transaction that
    reads before it writes: on SQLite, such a transaction can otherwise fail at its first
    write, without waiting, when another command wrote since its read."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade_schema(engine: Engine) -> None:
    """Run the Alembic migrations up to `head` on `engine`, one command at a time (a
    store already at `head` is only read)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        if set(MigrationContext.configure(connection).get_current_heads()) == heads:
            return
    with engine.begin() as connection:
        lock_for_writing(connection)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _raise_busy(context: ExceptionContext) -> None:
    """Turn "database is locked" (and PostgreSQL's lock timeouts) into `StoreBusyError`."""
    raise_if_busy(context.original_exception)


def raise_if_busy(error: BaseException) -> None:
    """Raise `StoreBusyError` (from `error`) when the driver's `error` says the store was
    held by a writer for longer than it waits: also for what reads through the DB-API
    cursor itself, past SQLAlchemy's `handle_error`."""
    code = getattr(error, "sqlite_errorcode", None)
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if (code is not None and code & 0xFF == _SQLITE_BUSY) or state in _POSTGRES_BUSY_STATES:
        raise StoreBusyError(
            "the store is busy: another radar command (an ingest, a batch or a server saving "
            "a model's profiles) is writing to it; try again when it finishes, or give it "
            "longer with RADAR_STORE_BUSY_TIMEOUT_SECONDS"
        ) from error


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _postgres_lock_timeout(seconds: float):  # type: ignore[no-untyped-def]
    def set_lock_timeout(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    return set_lock_timeout
