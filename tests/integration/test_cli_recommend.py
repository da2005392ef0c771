"""`radar recommend` on a trained store: a readable list, JSON rows, and the closest
products when none reaches the threshold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def radar(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADAR_HOME": str(home), "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [sys.executable, "-c", "from cli.main import main; main()", "recommend", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True)


def test_json_rows_and_the_closest_products_below_the_cut(trained_home: Path) -> None:
    answer = json.loads(radar(trained_home, "h0002", "--min-fit", "0", "--json").stdout)
    assert answer["state"] == "ready" and answer["streamer_name"]  # the host as ops know it
    rows = answer["items"]
    assert rows and {"streamer_id", "streamer_name", "rank", "product_id", "fit"} <= set(rows[0])
    assert "reasons" in rows[0]
    best = rows[0]["fit"]
    above = radar(trained_home, "h0002", "--min-fit", f"{min(best + 0.01, 1.0):.2f}").stdout
    assert "no product reaches fit" in above and "Closest:" in above
    assert f"{best:.4f}" in above  # not rounded up to the cut it misses


def test_the_first_use_of_a_version_prints_no_download_bar(
    own_home: Path,
) -> None:
    """Fetching a version into an empty cache (a copy has none) is not MLflow's progress
    bar on stderr."""
    result = radar(own_home, "h0002", "--min-fit", "0", "--json")
    assert json.loads(result.stdout)
    assert "Downloading artifacts" not in result.stderr, result.stderr
