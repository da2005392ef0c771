"""A week is published whole or not at all: `radar batch` killed with SIGKILL inside a
writer (a real process, its whole process group killed) leaves the last published week
as it was, files and store rows alike, and the next run cleans up and publishes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from radar.settings import Settings
from radar.store import WeeklyRecommendation, open_store
from tests.integration.batch_state import NAMES, WEEK, unpublished_rows

LAUNCHER = """
import os, signal, sys

where, after = sys.argv[1], int(sys.argv[2])
sys.argv = ["radar", *sys.argv[3:]]


def die():  # kill -9 of the batch: the parent and every writer at once
    os.killpg(0, signal.SIGKILL)


def counting(real):
    done = [0]

    def wrapped(*args):
        done[0] += 1
        if done[0] > after:
            die()
        return real(*args)

    return wrapped


if where == "xlsx":  # part of the sheet written, then killed
    import serving.xlsx as xlsx

    real_sheet = xlsx._worksheet

    def _worksheet(sheet):
        for number, part in enumerate(real_sheet(sheet)):
            if number == after:
                die()
            yield part

    xlsx._worksheet = _worksheet
elif where == "store":  # some store rows inserted, then killed
    import serving.batch as batch

    batch._store_row = counting(batch._store_row)
elif where == "publish":  # the week committed in the store, killed among the renames
    import serving.publication as publication

    publication._move_into_place = counting(publication._move_into_place)

from cli.main import main

main()
"""


def killed_batch(home: Path, out: Path, where: str, after: int, *options: str) -> None:
    """`radar batch` in its own process group, killed by SIGKILL at `where`."""
    env = {**os.environ, "RADAR_HOME": str(home), "RADAR_BATCH_WORKERS": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update(dict(option.split("=", 1) for option in options if "=" in option))
    arguments = [option for option in options if "=" not in option]
    launch = [sys.executable, "-c", LAUNCHER, where, str(after)]
    done = subprocess.run(
        [*launch, "batch", "--week", WEEK, "--out", str(out), *arguments],
        env=env,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=600,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


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
def home(trained_home: Path, tmp_path: Path) -> Path:
    """A copy of the trained home: these tests write the store."""
    copy = tmp_path / "home"
    shutil.copytree(trained_home, copy)
    return copy


@pytest.mark.parametrize(("where", "after"), [("xlsx", 1), ("store", 5)])
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
    killed_batch(home, out, "xlsx", 1, "RADAR_BATCH_WORKERS=2", "--min-fit", "0.3", "--top-k", "12")
    assert published(home, out) == before


@pytest.mark.parametrize(("where", "after"), [("xlsx", 1), ("store", 5)])
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
