"""Every host's placements read at once (`KeptHistories`, the API's): the same histories
as reading each host's own, and read again after an ingest brings placements."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from radar.ingest import ingest_directory
from radar.matching.history import histories_of
from radar.service.histories import KeptHistories
from radar.settings import Settings
from radar.store import open_store
from radar.store.reads import load_catalogue, load_host_ids, load_placements


def wait_for(kept: KeptHistories, host: str, seconds: float = 30.0) -> object:
    deadline = time.monotonic() + seconds
    while (history := kept.get(host)) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert history is not None, "the placements were not read"
    return history


def test_kept_histories_equal_each_hosts_own(trained_home: Path) -> None:
    engine = open_store(Settings(home=trained_home).resolved_database_url)
    kept = KeptHistories(engine)
    assert kept.get("h0001") is None  # not read yet: the caller reads its own
    hosts = load_host_ids(engine)
    wait_for(kept, hosts[0])
    for host in [*hosts, "no-placements"]:
        assert kept.get(host) == histories_of(*load_placements(engine, [host]), [host])[host]
    assert kept.reads == 1


def test_placements_are_read_again_after_an_ingest_brings_some(
    own_home: Path, tmp_path: Path
) -> None:
    settings = Settings(home=own_home)
    engine = open_store(settings.resolved_database_url)
    kept = KeptHistories(engine)
    kept.read()
    host, product = load_host_ids(engine)[0], load_catalogue(engine)[0].product_id
    before = kept.get(host)
    assert before is not None and product not in before[1]
    folder = tmp_path / "more"
    folder.mkdir()
    with (folder / "placements.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["placement_id", "streamer_id", "product_id", "started_at", "converted"])
        writer.writerow(["kept-1", host, product, "2026-11-26T20:00:00", 1])
    ingest_directory(
        folder, engine, quarantine_root=tmp_path / "q", max_text_chars=settings.max_text_chars()
    )
    time.sleep(1.1)  # the data version is trusted for a second
    after = wait_for(kept, host)
    assert kept.reads == 2
    assert after == histories_of(*load_placements(engine, [host]), [host])[host]
    assert product in after[1]  # type: ignore[index]
