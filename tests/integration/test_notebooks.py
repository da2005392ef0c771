"""Every notebook runs top to bottom on the demo data with small parameters, and shows
what it is for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PARAMETERS = {
    "01-retrain.ipynb": {"topic_counts": "6,8", "register": True, "promote": True},
    "02-explore-topics.ipynb": {"streamer_id": "h0002", "topic": 1},
    "03-host-report.ipynb": {"streamer_id": "h0002", "min_fit": 0.5},
    "04-monitor.ipynb": {"weeks": 2, "topic_counts": "12"},  # its retraining: one K
}
SHOWN = {
    "01-retrain.ipynb": r"run \w+ version 2 -> ",  # a new version registered, the gate's word
    "02-explore-topics.ipynb": r"topic 1: \S",  # the chosen topic and its label
    "03-host-report.ipynb": r"h0002: ready; \d+ words from transcripts, .* model version 1",
    # its status before and after the drift, then the version the drift's retraining made
    "04-monitor.ipynb": r"overall: (ok|watch|act) → (ok|watch|act)[\s\S]*version 2:",
}
"""A line each notebook prints, as a pattern."""


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_runs(name: str, own_home: Path, tmp_path: Path) -> None:
    executed = tmp_path / name
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(executed),
        parameters={"radar_home": str(own_home), **PARAMETERS[name]},  # 01 registers
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    cells = [
        cell for cell in json.loads(executed.read_text())["cells"] if cell["cell_type"] == "code"
    ]
    assert all(cell["execution_count"] for cell in cells)  # top to bottom, none skipped
    outputs = [output for cell in cells for output in cell["outputs"]]
    assert not [output for output in outputs if output["output_type"] == "error"]
    assert re.search(SHOWN[name], "".join(_text(output) for output in outputs)), name


def _text(output: dict) -> str:
    """What an output shows as text (printed, or a value's plain form)."""
    text = output.get("text") or output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)
