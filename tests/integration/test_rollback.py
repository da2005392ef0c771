"""Rolling back: `radar promote OLD` and both the API and the batch serve the old version."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from radar.service.registry import load_champion
from radar.settings import Settings
from radar.store import open_store
from serving.app import create_app
from serving.batch import run_batch
from training.run import run_training


def test_rollback_reaches_api_and_batch(trained_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    settings = Settings(home=home, api_keys="k")
    engine = open_store(settings.resolved_database_url)
    run_training(
        engine,
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        num_topics=8,
        min_fit=settings.min_fit,
        promote="always",
    )
    assert (
        load_champion(
            settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
        ).version
        == "2"
    )

    env = {**os.environ, "RADAR_HOME": str(home)}
    env.pop("MLFLOW_TRACKING_URI", None)
    subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "promote", "1"],
        env=env,
        check=True,
        capture_output=True,
    )

    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json()["model_version"] == "1"
        body = client.post(
            "/v1/recommend",
            json={"streamer_id": "h0002", "min_fit": 0.0},
            headers={"X-API-Key": "k"},
        ).json()
        assert body["model_version"] == "1"
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    run_batch(engine, loaded, week="2026-W48", out_dir=tmp_path / "out", min_fit=0.0)
    with (tmp_path / "out" / "recommendations-2026-W48.csv").open(encoding="utf-8-sig") as f:
        assert {row["model_version"] for row in csv.DictReader(f)} == {"1"}
