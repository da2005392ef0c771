"""Shared fixtures: an isolated RADAR_HOME, a small generated data set, the real data,
trained homes, and stores on SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.homes import TrainedHome
    from tests.postgres import PostgresServer

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
    from tests.homes import TrainedHome, train_home

    return train_home(small_demo_data, TrainedHome(tmp_path_factory.mktemp("trained-home"))).home


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for this test process (each xdist worker starts its
    own); skipped, saying why, where PostgreSQL cannot be had."""
    from tests.postgres import PostgresNotAvailable, start_server

    try:
        server = start_server(tmp_path_factory.mktemp("postgres"))
    except PostgresNotAvailable as error:
        pytest.skip(str(error))
    yield server
    server.stop()


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Callable[[str], str]:
    """`fresh_postgres_url("mlflow")` makes a new empty PostgreSQL database and returns its
    SQLAlchemy URL (`postgresql+psycopg://...`): for a store, or for MLflow's tracking."""
    return postgres_server.create_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The SQLAlchemy URL of a fresh, empty store: a SQLite file, or a new PostgreSQL
    database (the store is created by `open_store`)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database("store")


@pytest.fixture(scope="session")
def postgres_trained_home(
    small_demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,
) -> TrainedHome:
    """Like `trained_home`, with its store AND its MLflow tracking store on PostgreSQL.
    Mark tests that use it `tests.homes.ON_POSTGRES_HOME`, so one worker builds it once."""
    from tests.homes import TrainedHome, train_home

    return train_home(
        small_demo_data,
        TrainedHome(
            tmp_path_factory.mktemp("postgres-trained-home"),
            database_url=postgres_server.create_database("store"),
            mlflow_tracking_uri=postgres_server.create_database("mlflow"),
        ),
    )
