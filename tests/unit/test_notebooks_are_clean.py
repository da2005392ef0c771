"""Committed notebooks carry no outputs and define no logic (they import, call, plot)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-retrain.ipynb",
        "02-explore-topics.ipynb",
        "03-host-report.ipynb",
        "04-monitor.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_and_no_definitions(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell is the parameters"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "strip outputs before commit"
        for line in cell.source.splitlines():
            assert not line.lstrip().startswith(("def ", "class ", "lambda")), (
                f"{path.name} defines logic; move it into the library: {line}"
            )
