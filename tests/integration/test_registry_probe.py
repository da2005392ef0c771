"""The quick look at a SQLite registry agrees with MLflow, and stays quiet when unsure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from radar.errors import NoModelError
from radar.service.registry_probe import require_champion, require_registry


def test_the_probe_agrees_with_the_registry(trained_home: Path, tmp_path: Path) -> None:
    registry = f"sqlite:///{trained_home / 'mlflow.db'}"
    require_champion(registry, "selection-radar")  # version 1 is the champion
    require_registry(registry, "selection-radar")
    with pytest.raises(NoModelError, match="radar train"):
        require_champion(registry, "another-model")

    missing = f"sqlite:///{tmp_path / 'none.db'}"
    for probe in (require_champion, require_registry):
        with pytest.raises(NoModelError):
            probe(missing, "selection-radar")
    assert not (tmp_path / "none.db").exists()


def test_the_probe_leaves_what_it_cannot_read_to_mlflow(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE unrelated (x)")
    require_champion(f"sqlite:///{other}", "selection-radar")
    require_champion("postgresql+psycopg://radar:secret@127.0.0.1/mlflow", "selection-radar")
    require_champion("http://127.0.0.1:5000", "selection-radar")
