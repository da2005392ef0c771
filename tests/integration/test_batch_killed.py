"""A week is published whole or not at all: `radar batch` killed with SIGKILL inside a
writer (a real process, its whole process group killed) leaves the last published week
as it was, files and store rows alike, and the next run cleans up and publishes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import select

from radar.settings import Settings
from radar.store import WeeklyRecommendation, open_store
from tests.integration.batch_state import NAMES, WEEK, unpublished_rows

PAUSE_TIMEOUT_SECONDS = 300

LAUNCHER = """
import json, os, sys, time
from pathlib import Path

where, after, marker = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
sys.argv = ["radar", *sys.argv[4:]]


def pause(done):  # inside a writer: say where, then wait for the test's SIGKILL
    marker.write_text(json.dumps({"where": where, "done": done, "pid": os.getpid()}))
    while True:
        time.sleep(60)


def counting(real):
    calls = [0]

    def wrapped(*args):
        if calls[0] == after:
            pause(calls[0])
        calls[0] += 1
        return real(*args)

    return wrapped


if where == "xlsx":  # parts of the sheet written into the file, the rest not yet
    import serving.xlsx as xlsx

    xlsx._ROWS_PER_WRITE = 5  # the sheet in many parts, small as the test data are
    real_sheet = xlsx._worksheet

    def _worksheet(sheet):
        for number, part in enumerate(real_sheet(sheet)):
            if number == after:
                pause(number)
            yield part

    xlsx._worksheet = _worksheet
elif where == "store":  # rows inserted in the run's transaction, more to come
    import serving.batch as batch

    batch.STORE_ROWS = 5  # one INSERT per five rows: row `after` comes after some INSERTs
    batch._store_row = counting(batch._store_row)
elif where == "publish":  # the week committed in the store, among the renames
    import serving.publication as publication

    publication._move_into_place = counting(publication._move_into_place)

from cli.main import main

main()
"""
"""`radar batch` that stops at a point inside a writer (`where`, after `after` steps),
leaves a marker saying so and waits there: the test kills it with a real SIGKILL."""


def killed_batch(home: Path, out: Path, where: str, after: int, *options: str) -> None:
    """`radar batch` in its own process group, paused inside the writer at `where` (the
    marker file is there to see, the writer's state checked), then the whole group killed
    by SIGKILL: the parent and every forked writer at once, as `kill -9` would."""
    env = {**os.environ, "RADAR_HOME": str(home), "RADAR_BATCH_WORKERS": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update(dict(option.split("=", 1) for option in options if "=" in option))
    arguments = [option for option in options if "=" not in option]
    marker = out.parent / f"paused-{where}.json"
    launch = [sys.executable, "-c", LAUNCHER, where, str(after), str(marker)]
    with subprocess.Popen(
        [*launch, "batch", "--week", WEEK, "--out", str(out), *arguments],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            paused = _wait_for(marker, process)
            assert paused["where"] == where and paused["done"] == after
            _assert_inside_the_writer(where, home, out)
        finally:
            with suppress(ProcessLookupError):  # ended already: said above
                os.killpg(process.pid, signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL


def _wait_for(marker: Path, process: subprocess.Popen[str]) -> dict[str, object]:
    """The marker's content once the batch has paused (it must not end first)."""
    deadline = time.monotonic() + PAUSE_TIMEOUT_SECONDS
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(
                f"the batch ended ({process.returncode}) before the writer paused: "
                f"{process.stderr.read()[-3000:] if process.stderr else ''}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"the batch did not reach its pause in {PAUSE_TIMEOUT_SECONDS} s")
        time.sleep(0.05)
    time.sleep(0.05)  # the marker's few bytes written
    return json.loads(marker.read_text())


def _assert_inside_the_writer(where: str, home: Path, out: Path) -> None:
    """What a paused writer shows from outside: a staged workbook begun but not finished;
    the store's write lock held by the run's open transaction; files left to move."""
    staged = sorted(out.glob(f".radar-batch-{WEEK}-*/recommendations-{WEEK}.xlsx"))
    if where == "xlsx":
        assert len(staged) == 1 and not zipfile.is_zipfile(staged[0])
    elif where == "store":
        store = sqlite3.connect(home / "radar.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                store.execute("BEGIN IMMEDIATE")
        finally:
            store.close()
    else:  # committed, one of the three files moved into place
        assert len(list(out.glob(f".radar-batch-{WEEK}-*/recommendations-{WEEK}.*"))) == 2


def batch(home: Path, out: Path, *arguments: str, week: str = WEEK) -> None:
    env = {**os.environ, "RADAR_HOME": str(home)}
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [sys.executable, "-c", "from cli.main import main; main()", "batch"]
    done = subprocess.run(
        [*command, "--week", week, "--out", str(out), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def published(home: Path, out: Path) -> tuple[dict[str, bytes], list[tuple[object, ...]]]:
    """The week's files (by name) and its store rows, as a reader sees them."""
    files = {path.name: path.read_bytes() for path in sorted(out.glob(f"recommendations-{WEEK}.*"))}
    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(WeeklyRecommendation)
            .where(WeeklyRecommendation.week == WEEK)
            .order_by(WeeklyRecommendation.streamer_id, WeeklyRecommendation.rank)
        ).all()
    engine.dispose()
    return files, [tuple(row) for row in rows]


def leftovers(out: Path) -> list[str]:
    return sorted(path.name for path in out.iterdir() if path.name not in NAMES)


@pytest.fixture
def home(own_home: Path) -> Path:
    """A copy of the trained home: these tests write the store."""
    return own_home


@pytest.mark.parametrize(("where", "after"), [("xlsx", 3), ("store", 12)])
def test_a_batch_killed_in_a_writer_publishes_nothing(
    home: Path, tmp_path: Path, where: str, after: int
) -> None:
    out = tmp_path / "out"
    before = published(home, out)  # no file; the rows of the copied store, if any
    killed_batch(home, out, where, after, "--min-fit", "0.3", "--top-k", "12")
    assert published(home, out) == before  # no part of the week: not the CSV, not a row

    batch(home, out, "--min-fit", "0.5")  # the next run cleans up and publishes
    files, rows = published(home, out)
    assert sorted(files) == NAMES and rows
    assert leftovers(out) == [] and unpublished_rows(home) == 0
    text = files[f"recommendations-{WEEK}.csv"].decode("utf-8-sig").splitlines()
    assert len(text) - 1 == len(rows)


def test_forked_writers_killed_publish_nothing(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = published(home, out)
    killed_batch(home, out, "xlsx", 3, "RADAR_BATCH_WORKERS=2", "--min-fit", "0.3", "--top-k", "12")
    assert published(home, out) == before


@pytest.mark.parametrize(("where", "after"), [("xlsx", 3), ("store", 12)])
def test_a_killed_rerun_keeps_the_last_published_week(
    home: Path, tmp_path: Path, where: str, after: int
) -> None:
    out = tmp_path / "out"
    batch(home, out, "--min-fit", "0.5")
    before = published(home, out)
    assert sorted(before[0]) == NAMES and before[1]

    killed_batch(home, out, where, after, "--min-fit", "0.3", "--top-k", "12")
    assert published(home, out) == before  # the last good week, files and rows

    batch(home, out, "--min-fit", "0.3", "--top-k", "12")
    files, rows = published(home, out)
    assert leftovers(out) == [] and unpublished_rows(home) == 0
    assert len(rows) > len(before[1])  # the new week, whole
    assert len(files[f"recommendations-{WEEK}.csv"].decode("utf-8-sig").splitlines()) - 1 == len(
        rows
    )


def test_a_batch_killed_after_its_commit_is_rolled_forward(home: Path, tmp_path: Path) -> None:
    new = ("--min-fit", "0.3", "--top-k", "12")
    batch(home, tmp_path / "elsewhere", *new)  # what the new week's files hold
    expected = published(home, tmp_path / "elsewhere")
    out = tmp_path / "out"
    batch(home, out, "--min-fit", "0.5")
    killed_batch(home, out, "publish", 1, *new)  # committed; one file moved, then killed
    assert published(home, out)[1] == expected[1]  # the store shows the new week

    batch(home, out, "--min-fit", "0.5", week="2026-W47")  # any week's next run recovers
    files, _ = published(home, out)
    assert {name: files[name] for name in NAMES} == expected[0]
    assert leftovers(out) == [
        f"recommendations-2026-W47.{ext}" for ext in ("csv", "parquet", "xlsx")
    ]
