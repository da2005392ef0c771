"""Concurrent writers on one store, with real `radar` processes: a second ingest, a batch
and a promotion (picked up by a running server) while a long ingest runs. Each waits its
turn or says in one line why not; none fails with `database is locked`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, make_url, select, text

from radar.ingest import ingest_directory
from radar.settings import Settings
from radar.store import open_store
from radar.store.models import IngestRun
from tests.integration.servers import running_server
from training.run import run_training

ROOT = Path(__file__).resolve().parents[2]
COPIES = 100
"""Copies of the small data set's comments in the long ingest: some 200,000 rows, which
take the ingest several seconds to read."""
MORE_COPIES = {"sqlite": 300, "postgresql": 150}
"""Copies in the longer ingest, which must outlast a batch or a promotion picked up by a
server (each imports MLflow and loads a model: seconds). PostgreSQL loads each row more
slowly than SQLite (twice as slowly or more, in the two-ingests test), so half as many
copies last at least as long."""
KEY = "concurrency-key"


@pytest.fixture(scope="session")  # not module: that would keep this module on one worker
def copied_data(
    small_demo_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int], Path]:
    """`copied_data(n)`: the small data set with its comments copied n times (made once)."""
    made: dict[int, Path] = {}

    def copied(copies: int) -> Path:
        if copies not in made:
            folder = tmp_path_factory.mktemp(f"data-{copies}-copies")
            made[copies] = _with_copied_comments(small_demo_data, folder, copies)
        return made[copies]

    return copied


@pytest.fixture
def long_data(copied_data: Callable[[int], Path]) -> Path:
    return copied_data(COPIES)


@pytest.fixture
def longer_data(copied_data: Callable[[int], Path], store_url: str) -> Path:
    return copied_data(MORE_COPIES[make_url(store_url).get_backend_name()])


def _with_copied_comments(source: Path, folder: Path, copies: int) -> Path:
    """`source`'s tables in `folder`, its comments copied `copies` times under fresh ids."""
    shutil.copytree(source, folder, dirs_exist_ok=True)
    with (source / "comments.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (folder / "comments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            writer.writerows({**row, "comment_id": f"{row['comment_id']}-{copy}"} for row in rows)
    return folder


def radar(home: Path, store_url: str, *args: str, **extra: str) -> subprocess.Popen[str]:
    """Start `radar ARGS` on this home and store (with `extra` environment variables)."""
    env = {**os.environ, "RADAR_HOME": str(home), "RADAR_DATABASE_URL": store_url, **extra}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=600)
    return process.returncode, stdout, stderr


def wait_until_reading(process: subprocess.Popen[str], path: Path) -> None:
    """Return once `process` has `path` open (it is in the middle of ingesting it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the ingest ended before reading {path.name}"
        if path in _open_files(process.pid):
            return
        time.sleep(0.05)
    pytest.fail(f"the ingest did not open {path} within 120 s")


def _open_files(pid: int) -> set[Path]:
    found = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                found.add(Path(os.readlink(f"/proc/{pid}/fd/{fd}")))
            except OSError:
                continue
    except OSError:
        pass
    return found


def assert_whole(stdout: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = json.loads(stdout)
    for name, table in counts.items():
        assert table["read"] == table["loaded"] + table["quarantined"], name
    return counts


def assert_one_line_or_none(stderr: str) -> None:
    assert "Traceback" not in stderr and "database is locked" not in stderr, stderr


@pytest.fixture
def trained_copy(own_home: Path, small_demo_data: Path, store_url: str) -> Path:
    """A copy of the trained home whose store (`store_url`) holds the small data set."""
    home = own_home
    settings = Settings(home=home)
    ingest_directory(
        small_demo_data,
        open_store(store_url),
        quarantine_root=home / "quarantine",
        max_text_chars=settings.max_text_chars(),
    )
    return home


def test_two_ingests_at_once_both_load_whole(
    long_data: Path, store_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    first = radar(home, store_url, "ingest", str(long_data), "--json")
    wait_until_reading(first, long_data / "comments.csv")
    second = radar(home, store_url, "ingest", str(long_data), "--json")
    second_started = time.monotonic()
    first_code, first_out, first_err = finish(first)
    first_ended = time.monotonic()
    second_code, second_out, second_err = finish(second)
    assert second_started < first_ended  # they overlapped
    assert_one_line_or_none(first_err)
    assert_one_line_or_none(second_err)
    assert (first_code, second_code) == (0, 0), second_err
    for counts in (assert_whole(first_out), assert_whole(second_out)):
        assert counts["comments"]["loaded"] == 2010 * COPIES


def test_a_batch_during_an_ingest_writes_its_week(
    trained_copy: Path, longer_data: Path, store_url: str, tmp_path: Path
) -> None:
    ingest = radar(trained_copy, store_url, "ingest", str(longer_data), "--json")
    wait_until_reading(ingest, longer_data / "comments.csv")
    batch = radar(trained_copy, store_url, "batch", "--out", str(tmp_path / "out"))
    batch_code, _, batch_err = finish(batch)
    ingest_running = ingest.poll() is None
    ingest_code, ingest_out, ingest_err = finish(ingest)
    assert_one_line_or_none(batch_err)
    assert_one_line_or_none(ingest_err)
    assert (batch_code, ingest_code) == (0, 0), batch_err
    assert ingest_running, "the batch finished after the ingest: no overlap was tested"
    assert_whole(ingest_out)
    assert list((tmp_path / "out").glob("*.csv"))


@pytest.fixture
def served_with_challenger(trained_copy: Path, store_url: str) -> Iterator[str]:
    """A server on the trained copy (version 1), with version 2 registered, not promoted."""
    settings = Settings(home=trained_copy)
    run_training(
        open_store(store_url),
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        num_topics=10,
        min_fit=settings.min_fit,
        promote="never",
    )
    with running_server(
        trained_copy,
        RADAR_DATABASE_URL=store_url,
        RADAR_API_KEYS=KEY,
        RADAR_MODEL_POLL_SECONDS="1",
    ) as base:
        yield base


def test_a_promotion_during_an_ingest_is_served_at_once(
    served_with_challenger: str, trained_copy: Path, longer_data: Path, store_url: str
) -> None:
    health = f"{served_with_challenger}/health"
    assert httpx.get(health, timeout=10).json()["model_version"] == "1"
    ingest = radar(trained_copy, store_url, "ingest", str(longer_data), "--json")
    wait_until_reading(ingest, longer_data / "comments.csv")
    asked = time.monotonic()
    promote_code, _, promote_err = finish(radar(trained_copy, store_url, "promote", "2"))
    assert promote_code == 0, promote_err
    promoted = time.monotonic()
    statuses = []
    while ingest.poll() is None and time.monotonic() < promoted + 120:
        state = httpx.get(health, timeout=10).json()
        statuses.append((state["status"], state["model_version"]))
        if state["model_version"] == "2":
            break
        time.sleep(0.2)
    switched = time.monotonic()
    ingest_code, ingest_out, ingest_err = finish(ingest)
    assert ("ok", "2") in statuses, f"not served while the ingest ran: {statuses[-3:]}"
    assert all(status != "degraded" for status, _ in statuses), statuses
    assert ingest_code == 0, ingest_err
    assert_whole(ingest_out)
    print(
        f"version 2 served {switched - promoted:.1f} s after `radar promote` ended, "
        f"{switched - asked:.1f} s after it started"
    )


def test_a_writer_kept_waiting_too_long_stops_with_one_line(
    small_demo_data: Path, store_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    engine = open_store(store_url)
    settings = Settings(home=home)
    ingest_directory(
        small_demo_data,
        engine,
        quarantine_root=settings.quarantine_dir,
        max_text_chars=settings.max_text_chars(),
    )
    with engine.connect() as holder:  # another writer, holding a row the ingest rewrites
        holder.execute(text("UPDATE streamers SET name = name WHERE streamer_id = 'h0001'"))
        started = time.monotonic()
        code, _, stderr = finish(
            radar(
                home,
                store_url,
                "ingest",
                str(small_demo_data),
                RADAR_STORE_BUSY_TIMEOUT_SECONDS="2",
            )
        )
        waited = time.monotonic() - started
        holder.rollback()
    assert code != 0
    assert_one_line_or_none(stderr)
    assert len(stderr.strip().splitlines()) == 1 and "the store is busy" in stderr, stderr
    assert waited >= 2
    with engine.connect() as connection:  # nothing of the refused run was kept
        assert connection.scalar(select(func.count()).select_from(IngestRun)) == 1
    code, _, stderr = finish(radar(home, store_url, "ingest", str(small_demo_data)))
    assert code == 0, stderr  # once the other writer is done, the same command goes through
