"""A quick look at the registry before MLflow is imported (which takes seconds).

When the tracking store is a SQLite file, whether a champion exists is one query on the
file MLflow's registry writes: "no model yet" is told at once, and no empty registry is
created by asking. For any other store, or anything unexpected in the file, the probe
says nothing and MLflow answers as usual.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from radar.errors import NoModelError
from radar.redact import mask_url

CHAMPION = "champion"


def require_champion(tracking_uri: str, model_name: str) -> None:
    """Raise NoModelError when a SQLite registry plainly has no champion of `model_name`.

    Returns without a word when there is one, or when it cannot tell cheaply.
    """
    path = _sqlite_file(tracking_uri)
    if path is None:
        return
    if path.is_file() and _has_champion(path, model_name) is not False:
        return
    raise no_champion(tracking_uri, model_name)


def no_champion(tracking_uri: str, model_name: str) -> NoModelError:
    """The error for a registry without a champion of `model_name` (its password masked)."""
    return NoModelError(
        f"no {model_name}@{CHAMPION} in the registry at {mask_url(tracking_uri)} yet: "
        "train one with `radar train` (or run `radar demo`)"
    )


def require_registry(tracking_uri: str, model_name: str) -> None:
    """Raise NoModelError when the registry is a SQLite file that does not exist yet
    (asking MLflow would create an empty one)."""
    path = _sqlite_file(tracking_uri)
    if path is not None and not path.exists():
        raise no_versions(tracking_uri, model_name)


def no_versions(tracking_uri: str, model_name: str) -> NoModelError:
    """The error for a registry that holds no version of `model_name`."""
    return NoModelError(
        f"no version of {model_name} in the registry at {mask_url(tracking_uri)} yet: train one "
        "with `radar train` (or run `radar demo`)"
    )


def _sqlite_file(tracking_uri: str) -> Path | None:
    """The database file of a `sqlite:///PATH` URI, or None for any other URI."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix) or "?" in tracking_uri:
        return None
    database = tracking_uri.removeprefix(prefix)
    return Path(database) if database and database != ":memory:" else None


def _has_champion(path: Path, model_name: str) -> bool | None:
    """Whether the registry in `path` has the alias, or None when it cannot tell."""
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "registered_model_aliases" not in tables:
                return False if "registered_models" in tables or not tables else None
            found = connection.execute(
                "SELECT 1 FROM registered_model_aliases WHERE name = ? AND alias = ?",
                (model_name, CHAMPION),
            ).fetchone()
    except sqlite3.Error:
        return None
    return found is not None
