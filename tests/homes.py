"""A trained RADAR_HOME for the tests, its store and MLflow tracking on SQLite under the
home (the default) or at given URLs (PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from radar.settings import Settings

NUM_TOPICS = 12
ON_POSTGRES_HOME = pytest.mark.xdist_group("postgres-trained-home")
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
    return trained
