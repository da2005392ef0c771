"""The quarantine files: standard JSON whatever the row held, and a killed run's
unpublished `.part` files are removed by the next run (never a live run's)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from radar.ingest.quarantine import QuarantineWriter


def strict_json(line: str) -> Any:
    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(line, parse_constant=refuse)


def test_quarantine_lines_are_standard_json(tmp_path: Path) -> None:
    writer = QuarantineWriter(tmp_path / "run1")
    row = {
        "price": float("nan"),
        "gmv": float("inf"),
        "orders": float("-inf"),
        "title": b"ok",
        "raw": b"\xff\xfe",
        "when": datetime(2026, 8, 3, 20),
        "attributes": {"nested": [1.5, float("nan")]},
    }
    writer.add("products", "products.parquet", 7, "not text in raw", row)
    (path,) = writer.commit()
    entry = strict_json(path.read_text(encoding="utf-8"))
    assert entry["row"] == {
        "price": "NaN",
        "gmv": "Infinity",
        "orders": "-Infinity",
        "title": "ok",
        "raw": "\\xff\\xfe",
        "when": "2026-08-03T20:00:00",
        "attributes": {"nested": [1.5, "NaN"]},
    }


WRITE_AND_DIE = """
import os, signal, sys
from pathlib import Path
from radar.ingest.quarantine import QuarantineWriter
writer = QuarantineWriter(Path(sys.argv[1]) / sys.argv[2])
writer.add("comments", "comments.csv", 2, "empty text in text", {"text": ""})
print("written", flush=True)
if sys.argv[3] == "die":
    os.kill(os.getpid(), signal.SIGKILL)
sys.stdin.read()
"""


def start_writer(root: Path, run: str, fate: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", textwrap.dedent(WRITE_AND_DIE), str(root), run, fate]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "written\n"
    return process


def test_a_killed_runs_part_file_and_empty_folders_are_removed_by_the_next_run(
    tmp_path: Path,
) -> None:
    killed = start_writer(tmp_path, "killed", "die")
    killed.wait(timeout=30)
    (tmp_path / "empty-run").mkdir()
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "comments.jsonl").write_text("{}\n", encoding="utf-8")
    assert (tmp_path / "killed" / "comments.jsonl.part").exists()

    QuarantineWriter(tmp_path / "next").discard()

    assert sorted(path.name for path in tmp_path.iterdir() if path.is_dir()) == ["done"]


def test_a_live_runs_part_file_is_left_alone(tmp_path: Path) -> None:
    live = start_writer(tmp_path, "live", "wait")
    try:
        QuarantineWriter(tmp_path / "next").discard()
        assert (tmp_path / "live" / "comments.jsonl.part").exists()
    finally:
        live.communicate("", timeout=30)
    assert live.returncode == 0
