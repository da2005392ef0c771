"""Promoting a new champion while a client keeps requesting: no failed request, and the
answers switch to the new version (a real uvicorn process, polling the registry)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx

from radar.settings import Settings
from radar.store import open_store
from tests.integration.servers import running_server
from training.run import run_training

KEY = "reload-key"


def test_promotion_under_load_switches_without_errors(trained_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    settings = Settings(home=home)
    versions: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def keep_requesting(base: str) -> None:
        with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=30) as client:
            while not stop.is_set():
                response = client.post(
                    "/v1/recommend", json={"streamer_id": "h0002", "min_fit": 0.0}
                )
                if response.status_code == 200:
                    versions.append(response.json()["model_version"])
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    with running_server(home, RADAR_API_KEYS=KEY, RADAR_MODEL_POLL_SECONDS="0.5") as base:
        client_thread = threading.Thread(target=keep_requesting, args=(base,))
        client_thread.start()
        try:
            time.sleep(1.0)
            run_training(
                open_store(settings.resolved_database_url),
                tracking_uri=settings.resolved_mlflow_tracking_uri,
                model_name=settings.model_name,
                num_topics=10,
                min_fit=settings.min_fit,
                promote="always",
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (not versions or versions[-1] != "2"):
                time.sleep(0.2)
            time.sleep(1.0)
        finally:
            stop.set()
            client_thread.join(timeout=60)
    assert failures == []
    assert versions[0] == "1" and versions[-1] == "2"
    switch = versions.index("2")
    assert set(versions[switch:]) == {"2"}  # no flapping back once swapped
    print(f"{len(versions)} requests, switched after {switch}")
