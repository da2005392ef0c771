"""Every notebook runs top to bottom on the demo data with small parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PARAMETERS = {
    "01-retrain.ipynb": {"topic_counts": "6,8", "register": True, "promote": True},
    "02-explore-topics.ipynb": {"streamer_id": "h0002", "topic": 1},
    "03-host-report.ipynb": {"streamer_id": "h0002", "min_fit": 0.5},
    "04-monitor.ipynb": {"weeks": 2},
}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_runs(name: str, trained_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)  # 01 registers a version: keep the shared home intact
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(tmp_path / name),
        parameters={"radar_home": str(home), **PARAMETERS[name]},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
