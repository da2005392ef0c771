"""MLflow's artifacts beside a SQLite tracking store, wherever the folder is moved.

MLflow stores absolute artifact locations (it resolves even a relative one against the
working folder when an experiment is created), so a copied or moved RADAR_HOME would
keep writing into, and reading from, the original folder. Before MLflow is used on a
SQLite store, the locations it recorded under another folder's `mlartifacts/` are
pointed at the `mlartifacts/` beside the database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

ARTIFACTS_DIR = "mlartifacts"
_LOCATIONS = (  # MLflow 3's columns holding artifact URIs
    ("experiments", "artifact_location"),
    ("runs", "artifact_uri"),
    ("logged_models", "artifact_location"),
    ("model_versions", "storage_location"),
    ("model_versions", "source"),
)


def artifact_location(tracking_uri: str) -> str | None:
    """Where a SQLite tracking store's artifacts live (`mlartifacts/` beside the database,
    as a file URI), or None (the tracking server decides) for any other store."""
    database = _sqlite_database(tracking_uri)
    return None if database is None else (database.parent / ARTIFACTS_DIR).as_uri()


def relocate_artifacts(tracking_uri: str) -> None:
    """Point the artifact locations a SQLite tracking store recorded under another
    folder's `mlartifacts/` (the home was copied or moved) at the one beside it. Nothing
    changes for other stores, an unmoved home, or when only the database was moved (the
    original artifacts exist, and there are none beside the database)."""
    database = _sqlite_database(tracking_uri)
    if database is None or not database.is_file():
        return
    here = (database.parent / ARTIFACTS_DIR).as_uri()
    engine = create_engine(tracking_uri)
    try:
        with engine.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            if "experiments" not in tables:
                return
            moved = {
                location
                for (location,) in connection.execute(
                    text("SELECT artifact_location FROM experiments")
                )
                if location
                and location != here
                and location.endswith(f"/{ARTIFACTS_DIR}")
                and location.startswith("file://")
            }
            for old in moved:
                if _exists(old) and not (database.parent / ARTIFACTS_DIR).is_dir():
                    continue  # only the database was moved: its artifacts are still there
                for table, column in _LOCATIONS:
                    if table in tables:
                        _replace_prefix(connection, table, column, old, here)
    finally:
        engine.dispose()


def _replace_prefix(connection: Connection, table: str, column: str, old: str, new: str) -> None:
    """`old` → `new` at the start of `table.column` (whole path segments only)."""
    connection.execute(
        text(
            f"UPDATE {table} SET {column} = :new || substr({column}, :rest) "
            f"WHERE {column} = :old OR substr({column}, 1, :length) = :old || '/'"
        ),
        {"new": new, "old": old, "rest": len(old) + 1, "length": len(old) + 1},
    )


def _sqlite_database(tracking_uri: str) -> Path | None:
    if not tracking_uri.startswith("sqlite:"):
        return None
    database = make_url(tracking_uri).database
    if database in (None, "", ":memory:"):
        return None
    return Path(database).resolve()


def _exists(file_uri: str) -> bool:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(file_uri).path)).exists()
