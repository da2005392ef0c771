"""`radar demo`, the README's main command, end to end in an empty RADAR_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "RADAR_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for step in ("1/5 generate", "2/5", "3/5", "4/5 recommend", "5/5 batch"):
        assert step in done.stdout
    assert done.stdout.count("— fit ≥ 0.80") == 3  # three hosts' lists printed
    batch = tmp_path / "home" / "batch"
    assert {p.suffix for p in batch.iterdir()} == {".csv", ".parquet", ".xlsx"}
    assert not (tmp_path / "mlruns").exists()  # MLflow artifacts stay under RADAR_HOME
