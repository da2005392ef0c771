"""`radar train` in a fresh process, on a given RADAR_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def radar_train(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`radar train ARGS` with only RADAR_HOME set (store and registry under `home`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RADAR_")}
    env.pop("MLFLOW_TRACKING_URI", None)
    env["RADAR_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "train", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
