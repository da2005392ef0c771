"""`radar monitor` on a trained home with weeks after training: `ok` on weeks like the
training weeks, `act` once a category's vocabulary changes, and `--act` retrains only then
(real store, real registry, real processes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radar.demo.followup import biggest_category, generate_followup, iso_week, next_monday
from radar.store import open_store


def radar(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`radar ARGS` in a fresh process with only RADAR_HOME set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RADAR_")}
    env.pop("MLFLOW_TRACKING_URI", None)
    env["RADAR_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def monitor(home: Path, *args: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(radar(home, "monitor", "--json", *args).stdout)
    return answer


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {figure["name"]: figure["status"] for figure in report["figures"]}


def followup(home: Path, out: Path, first: datetime, **options: Any) -> None:
    generate_followup(
        open_store(f"sqlite:///{home / 'radar.db'}"), out, first_week=first, **options
    )
    radar(home, "ingest", str(out))


@pytest.mark.slow
def test_monitor_turns_to_act_on_a_planted_drift_and_act_retrains_only_then(
    trained_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    shutil.rmtree(home / "models", ignore_errors=True)
    engine = open_store(f"sqlite:///{home / 'radar.db'}")
    first = next_monday(engine)
    radar(home, "batch", "--week", iso_week(first))

    followup(home, tmp_path / "same", first)
    calm = monitor(home, "--act")
    assert calm["status"] != "act", [f for f in calm["figures"] if f["status"] == "act"]
    assert calm["adopted_placements"] > 0
    assert calm["calibration"][0]["pairs"] > 30
    assert calm["retraining"]["trained"] is False
    impact = calm["impact"]  # the generator's planted uplift is 0.08
    assert impact["low"] <= 0.08 <= impact["high"], impact
    assert calm["model_version"] == "1"

    biggest = biggest_category(engine)
    later = first + timedelta(weeks=2)
    followup(home, tmp_path / "drifted", later, drift_category=biggest)
    drifted = monitor(home, "--act", "--weeks", "2")
    assert drifted["status"] == "act"
    assert statuses(drifted)["drift.hosts_new_vocabulary_share"] == "act"
    assert drifted["retraining"]["trained"] is True
    assert drifted["retraining"]["version"] == "2"

    after = monitor(home)
    if drifted["retraining"]["promoted"]:  # the new champion has seen the new words
        assert after["model_version"] == "2"
        assert after["status"] == "ok", [f for f in after["figures"] if f["status"] != "ok"]

    from fastapi.testclient import TestClient

    from radar.settings import Settings
    from serving.app import create_app

    with TestClient(create_app(Settings(home=home, api_keys="key"))) as client:
        body = client.get("/v1/model", headers={"X-API-Key": "key"}).json()
    assert body["model_version"] == after["model_version"]
    assert body["monitoring"]["status"] == after["status"]
    if after["status"] == "ok":
        assert body["monitoring"]["attention"] == {}
