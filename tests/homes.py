"""A trained RADAR_HOME for the tests, its store and MLflow tracking on SQLite under the
home (the default) or at given URLs (PostgreSQL); what it holds, to see that no test
changed it; and copies of it for the tests that write."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from radar.settings import Settings

NUM_TOPICS = 12
POSTGRES_HOME_GROUP = "postgres-trained-home"
ON_POSTGRES_HOME = pytest.mark.xdist_group(POSTGRES_HOME_GROUP)
"""Every test on `postgres_trained_home` runs on one xdist worker, which trains it once."""


@dataclass(frozen=True)
class TrainedHome:
    """A home and where its store and registry live (None: SQLite files under `home`)."""

    home: Path
    database_url: str | None = None
    mlflow_tracking_uri: str | None = None

    def settings(self, **fields: object) -> Settings:
        """Settings of this home; the URLs are explicit, so no RADAR_ variable interferes."""
        return Settings(
            home=self.home,
            database_url=self.database_url,
            mlflow_tracking_uri=self.mlflow_tracking_uri,
            **fields,  # type: ignore[arg-type]
        )

    @property
    def environment(self) -> dict[str, str]:
        """The RADAR_ variables a `radar` process needs to use this home."""
        variables = {"RADAR_HOME": str(self.home)}
        if self.database_url:
            variables["RADAR_DATABASE_URL"] = self.database_url
        if self.mlflow_tracking_uri:
            variables["RADAR_MLFLOW_TRACKING_URI"] = self.mlflow_tracking_uri
        return variables


def train_home(data: Path, trained: TrainedHome) -> TrainedHome:
    """Ingest `data` into the home's store and register a champion (version 1, K=12).

    A database tracking store has no folder of its own, so the experiment is created first
    with its artifacts under the home, as a deployment does (README: PostgreSQL)."""
    from mlflow import MlflowClient

    from radar.ingest import ingest_directory
    from radar.store import open_store
    from training.run import run_training

    settings = trained.settings()
    engine = open_store(settings.resolved_database_url)
    ingest_directory(
        data,
        engine,
        quarantine_root=settings.quarantine_dir,
        max_text_chars=settings.max_text_chars(),
    )
    tracking_uri = settings.resolved_mlflow_tracking_uri
    if trained.mlflow_tracking_uri is not None:
        MlflowClient(tracking_uri=tracking_uri).create_experiment(
            "selection-radar", artifact_location=(trained.home / "mlartifacts").as_uri()
        )
    run_training(
        engine,
        tracking_uri=tracking_uri,
        model_name=settings.model_name,
        num_topics=NUM_TOPICS,
        min_fit=settings.min_fit,
    )
    engine.dispose()
    warm_home(trained)
    return trained


def warm_home(trained: TrainedHome) -> None:
    """Fetch the champion into the home's model cache and save what it derives from the
    store (host profiles, the catalogue's vectors): a test that only reads the home
    (scores, serves) then writes nothing into it."""
    from radar.service.registry import load_champion
    from radar.service.service import RadarService
    from radar.store import open_store

    settings = trained.settings()
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    engine = open_store(settings.resolved_database_url)
    service = RadarService(engine, loaded.model, model_version=loaded.version)
    for _ in service.recommend_all(top_k=1, min_fit=0.0):
        pass
    engine.dispose()


SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""A SQLite database's own files, which a reader may change: its rows are what counts."""


def home_digest(trained: TrainedHome) -> dict[str, str]:
    """What a test could change in a home, part by part: each file's bytes (a SQLite
    file by its rows, table by table), and the rows of a store or tracking store that
    lives at a URL (PostgreSQL)."""
    digest: dict[str, str] = {}
    for path in sorted(trained.home.rglob("*")):
        name = path.relative_to(trained.home).as_posix()
        if not path.is_file() or name.endswith(SQLITE_COMPANIONS):
            continue
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header == SQLITE_HEADER:
            digest |= rows_digest(f"sqlite:///file:{path}?mode=ro&uri=true", name)
        else:
            digest[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    for label, url in (("store", trained.database_url), ("tracking", trained.mlflow_tracking_uri)):
        if url is not None:
            digest |= rows_digest(url, label)
    return digest


def rows_digest(url: str, label: str) -> dict[str, str]:
    """`{"<label>:<table>": digest of the table's rows (in any order)}` of a database."""
    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        digest = {}
        with engine.connect() as connection:
            for name, table in sorted(tables.tables.items()):
                rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                digest[f"{label}:{name}"] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digest
    finally:
        engine.dispose()


def changed_parts(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The files and tables added, removed or changed between two digests."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def copy_home(
    trained: TrainedHome, into: Path, copy_database: Callable[[str], str] | None = None
) -> TrainedHome:
    """A copy of the home at `into` for a test that writes, its model cache (`models/`)
    left out so that the copy fetches its own. A store or tracking store at a URL is
    copied by `copy_database` (a new database from it; `PostgresServer.copy_database`);
    such a tracking store still points at the shared home's artifacts, for reading."""

    def left_out(folder: str, names: list[str]) -> list[str]:
        cache = ["models"] if Path(folder) == trained.home else []
        return cache + [name for name in names if name.endswith("-shm")]  # SQLite rebuilds it

    shutil.copytree(trained.home, into, ignore=left_out)

    def copied(url: str | None) -> str | None:
        if url is None:
            return None
        if copy_database is None:
            raise ValueError(f"{trained.home} keeps its data at {url}: pass copy_database")
        return copy_database(url)

    return replace(
        trained,
        home=into,
        database_url=copied(trained.database_url),
        mlflow_tracking_uri=copied(trained.mlflow_tracking_uri),
    )
