"""`radar demo`, the README's main command, end to end in an empty RADAR_HOME; then
`radar monitor` on what it left: the weeks after training, with an impact figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def radar(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADAR_HOME": str(home), "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=home.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.slow
def test_demo_runs_end_to_end_and_leaves_weeks_to_monitor(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = radar(home, "demo")
    for step in ("1/6 generate", "2/6", "3/6", "4/6 weeks after training", "5/6 recommend"):
        assert step in done.stdout
    assert "6/6 batch" in done.stdout
    assert done.stdout.count("— fit ≥ 0.80") == 3  # three hosts' lists printed
    batch = home / "batch"
    assert {p.suffix for p in batch.iterdir()} == {".csv", ".parquet", ".xlsx"}
    assert not (tmp_path / "mlruns").exists()  # MLflow artifacts stay under RADAR_HOME

    report = json.loads(radar(home, "monitor", "--json").stdout)
    assert len(report["weeks"]) == 2  # the demo's two weeks after training
    assert report["calibration"][0]["pairs"] > 100  # realised against predicted
    assert report["adopted_placements"] > 0
    impact = report["impact"]
    assert impact is not None and impact["low"] < impact["uplift"] < impact["high"], impact
    assert report["status"] != "act"  # ordinary weeks: no drift planted
