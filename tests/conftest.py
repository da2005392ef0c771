"""Shared fixtures: an isolated RADAR_HOME, a small generated data set, the real data,
trained homes (shared read-only, checked unchanged at the end of the session; copies
for the tests that write), and stores on SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.homes import TrainedHome
    from tests.postgres import PostgresServer

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Load anyio's lazily imported parts now, in the main thread. Pytest rewrites the
    modules of its plugins (anyio is one) with `ast.parse`, and when a test client's server
    thread was the first to touch one, CPython 3.11.7 sometimes failed the request with
    "AST constructor recursion depth mismatch" (python/cpython#106905; seen once in the
    console's page test)."""
    import anyio

    for name in dir(anyio):
        if not name.startswith("_"):
            getattr(anyio, name)


@pytest.hookimpl(trylast=True)  # after xdist's own hook (`show_groups_to_xdist`)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test on `postgres_trained_home` is in its xdist group, so that one worker
    trains it once (`make test` runs `-n 2 --dist loadgroup`); the tests on a module-scoped
    fixture are grouped by module (`tests.xdist_groups`)."""
    from tests.homes import POSTGRES_HOME_GROUP
    from tests.xdist_groups import group_by_module_fixture, show_groups_to_xdist

    group_by_module_fixture(items)

    loose = [
        item.nodeid
        for item in items
        if "postgres_trained_home" in getattr(item, "fixturenames", ())
        and POSTGRES_HOME_GROUP not in {mark.args[0] for mark in item.iter_markers("xdist_group")}
    ]
    if loose:
        raise pytest.UsageError(
            f"mark these tests `tests.homes.ON_POSTGRES_HOME`: {', '.join(loose)}"
        )
    show_groups_to_xdist(config, items)


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
def trained_home(small_demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A RADAR_HOME with the small demo data ingested, a champion (version 1, K=12) in its
    MLflow registry, in its model cache, and its derived data saved in the store.
    Read-only: a test that writes uses `own_home`; the session fails if it changed."""
    from tests.homes import TrainedHome, train_home

    trained = train_home(small_demo_data, TrainedHome(tmp_path_factory.mktemp("trained-home")))
    with unchanged(trained):
        yield trained.home


@pytest.fixture
def own_home(trained_home: Path, tmp_path: Path) -> Path:
    """A copy of `trained_home` for this test to write (its model cache left out)."""
    from tests.homes import TrainedHome, copy_home

    return copy_home(TrainedHome(trained_home), tmp_path / "home").home


@contextmanager
def unchanged(trained: TrainedHome) -> Iterator[None]:
    """Fail (at the end of the session) when the shared home was changed by a test."""
    from tests.homes import changed_parts, home_digest

    before = home_digest(trained)
    yield
    changed = changed_parts(before, home_digest(trained))
    if changed:
        pytest.fail(
            f"a test wrote into the shared home {trained.home} (changed: "
            f"{', '.join(changed)}): a test that writes takes a copy (`own_home`, "
            "`own_postgres_home`)",
            pytrace=False,
        )


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
) -> Iterator[TrainedHome]:
    """Like `trained_home`, with its store AND its MLflow tracking store on PostgreSQL.
    Mark tests that use it `tests.homes.ON_POSTGRES_HOME`, so one worker builds it once."""
    from tests.homes import TrainedHome, train_home

    trained = train_home(
        small_demo_data,
        TrainedHome(
            tmp_path_factory.mktemp("postgres-trained-home"),
            database_url=postgres_server.create_database("store"),
            mlflow_tracking_uri=postgres_server.create_database("mlflow"),
        ),
    )
    with unchanged(trained):
        yield trained


@pytest.fixture
def own_postgres_home(
    postgres_trained_home: TrainedHome, postgres_server: PostgresServer, tmp_path: Path
) -> TrainedHome:
    """A copy of `postgres_trained_home` (its folder and both its databases) to write."""
    from tests.homes import copy_home

    return copy_home(
        postgres_trained_home, tmp_path / "postgres-home", postgres_server.copy_database
    )
