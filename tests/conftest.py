"""Shared fixtures: an isolated RADAR_HOME, a small generated data set, the real data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_mlflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """MLflow writes only under this test's tmp_path, and no test may leave a run open."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow-default.db'}")
    yield
    mlflow = sys.modules.get("mlflow")
    if mlflow is not None and mlflow.active_run() is not None:
        run = mlflow.active_run()
        while mlflow.active_run() is not None:
            mlflow.end_run("KILLED")
        pytest.fail(f"the test left MLflow run {run.info.run_id} open")


@pytest.fixture
def radar_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh RADAR_HOME; every other RADAR_ variable unset."""
    home = tmp_path / "radar-home"
    for name in ("RADAR_DATABASE_URL", "RADAR_MLFLOW_TRACKING_URI", "RADAR_API_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RADAR_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def small_demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated data set (read-only: copy it before changing it)."""
    from radar.demo.generator import generate_demo_data

    folder = tmp_path_factory.mktemp("demo-data")
    generate_demo_data(folder, hosts=12, products=120, seed=11, weeks=4)
    return folder


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`, or a skip when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def trained_home(small_demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RADAR_HOME with the small demo data ingested and a champion (version 1, K=12)
    in its MLflow registry. Read-only: tests that change it make their own."""
    from radar.ingest import ingest_directory
    from radar.settings import Settings
    from radar.store import open_store
    from training.run import run_training

    home = tmp_path_factory.mktemp("trained-home")
    settings = Settings(home=home)
    engine = open_store(settings.resolved_database_url)
    ingest_directory(
        small_demo_data,
        engine,
        quarantine_root=home / "quarantine",
        max_text_chars=settings.max_text_chars(),
    )
    run_training(
        engine,
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        num_topics=12,
        params={"passes": 5},
    )
    return home
