"""Host profiles and the catalogue's vectors are stored with the model version that made
them and reused until the model version or the data they are made from changes (a host's
profile: until its own text changes)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, delete, event, func, insert, select, update

from radar.errors import StoreBusyError
from radar.matching.profiles import HostProfile
from radar.service import service as radar_service
from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store
from radar.store.derived import (
    CATALOGUE_TABLES,
    data_version,
    load_catalogue_vectors,
    load_profiles,
    save_profiles,
)
from radar.store.models import (
    Base,
    CatalogueVectorsRow,
    Comment,
    HostDocumentsRow,
    HostProfileRow,
    IngestRun,
)
from radar.store.reads import read_snapshot


def _store_copy(trained_home: Path, tmp_path: Path) -> tuple[Engine, RadarService]:
    """A copy of the trained store without the derived data the shared home keeps (host
    profiles, the catalogue's vectors, the hosts' documents), whatever ran before: what a
    test here finds saved, it saved itself. Its service has the shared home's champion
    (only read)."""
    settings = Settings(home=trained_home)
    for part in trained_home.glob("radar.db*"):  # the database and its WAL
        shutil.copy(part, tmp_path / part.name)
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    with engine.begin() as connection:
        for table in (HostProfileRow, CatalogueVectorsRow, HostDocumentsRow):
            connection.execute(delete(table))
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return engine, RadarService(engine, loaded.model, model_version=loaded.version)


def _count(engine: Engine, table: type[Base]) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table)) or 0


def test_profiles_are_saved_reused_and_renewed(trained_home: Path, tmp_path: Path) -> None:
    engine, service = _store_copy(trained_home, tmp_path)
    assert _count(engine, HostProfileRow) == 0
    first = {r.streamer_id: r for r in service.recommend_all(top_k=5, min_fit=0.5)}
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(HostProfileRow))
        versions = set(connection.scalars(select(HostProfileRow.data_version)))
    assert stored == len(first) and versions == {data_version(engine)}
    assert first["h0002"].state == "ready" and first["h0002"].items

    with engine.begin() as connection:  # mark one stored profile: is it read back?
        connection.execute(
            update(HostProfileRow)
            .where(HostProfileRow.streamer_id == "h0002")
            .values(state="insufficient_data", combined=None)
        )
    reused = RadarService(engine, service.model, model_version=service.model_version)
    assert reused.recommend("h0002", top_k=5, min_fit=0.5).state == "insufficient_data"

    _ingest_run(engine, "outcomes only", placements=3)  # no new text: profiles kept
    kept = RadarService(engine, service.model, model_version=service.model_version)
    assert kept.recommend("h0002", top_k=5, min_fit=0.5).state == "insufficient_data"

    _ingest_run(engine, "new comments elsewhere", comments=2)  # h0002's text is the same
    elsewhere = RadarService(engine, service.model, model_version=service.model_version)
    assert elsewhere.recommend("h0002", top_k=5, min_fit=0.5).state == "insufficient_data"

    _add_comment(engine, "h0002", "这个还有货吗")  # new text of h0002's: its profile is built again
    _ingest_run(engine, "new comments", comments=1)
    renewed = RadarService(engine, service.model, model_version=service.model_version)
    again = renewed.recommend("h0002", top_k=5, min_fit=0.5)
    assert again.state == "ready"
    assert [i.product_id for i in again.items] == [i.product_id for i in first["h0002"].items]


def test_a_running_service_reads_the_data_version_seldom_and_sees_new_text(
    trained_home: Path, tmp_path: Path
) -> None:
    """Host by host, profiles are read without a query of the data version each (it is
    read again after at most `profile_ttl`); new text still shows within `profile_ttl`."""
    engine, service = _store_copy(trained_home, tmp_path)
    list(service.recommend_all(top_k=5, min_fit=0.5))  # every profile saved
    hosts = sorted(service.host_names)[:20]
    runs_read = 0

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal runs_read
        runs_read += "ingest_runs" in statement

    running = RadarService(engine, service.model, model_version=service.model_version)
    event.listen(engine, "before_cursor_execute", count)
    try:
        for host in hosts:
            running.profile(host)
        assert runs_read <= 1  # not one query per host

        ttl = 0.5
        watching = RadarService(
            engine, service.model, model_version=service.model_version, profile_ttl=ttl
        )
        before = watching.profile("h0002")
        _add_comment(engine, "h0002", "这款蓝牙耳机降噪效果怎么样，续航多久")
        _ingest_run(engine, "new comments", comments=1)
        deadline = time.monotonic() + 10 * ttl
        while watching.profile("h0002").fans_tokens == before.fans_tokens:
            assert time.monotonic() < deadline, "the new comment never showed"
            time.sleep(0.02)
        assert watching.profile("h0002").fans_tokens > before.fans_tokens
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add_comment(engine: Engine, streamer_id: str, text: str) -> None:
    """One new comment of this host's (id "new"), as an ingest would store it."""
    with engine.begin() as connection:
        connection.execute(
            insert(Comment).values(
                comment_id="new",
                streamer_id=streamer_id,
                created_at=datetime(2030, 1, 1),
                text=text,
            )
        )


def _ingest_run(engine: Engine, run_id: str, **loaded: int) -> None:
    """Record a finished ingest run that loaded these numbers of rows per table."""
    with engine.connect() as connection:  # each run finishes after the ones before
        earlier = connection.scalar(select(func.count()).select_from(IngestRun)) or 0
    moment = datetime(2030, 1, 1) + timedelta(minutes=earlier)
    counts = {
        table: {"read": rows, "loaded": rows, "quarantined": 0} for table, rows in loaded.items()
    }
    with engine.begin() as connection:
        connection.execute(
            IngestRun.__table__.insert().values(
                run_id=run_id,
                source="test",
                started_at=moment,
                finished_at=moment,
                counts=json.dumps(counts),
            )
        )


def test_data_versions_follow_the_tables_a_run_loaded(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    assert data_version(engine) == data_version(engine, ["products"]) == ""
    _ingest_run(engine, "r1", products=5, comments=9)
    _ingest_run(engine, "r2", placements=4, products=0)
    _ingest_run(engine, "r3", transcripts=1)
    assert data_version(engine) == "r3"
    assert data_version(engine, ["transcripts", "comments"]) == "r3"
    assert data_version(engine, ["products"]) == "r1"  # r2 loaded no product
    assert data_version(engine, ["placements"]) == "r2"
    assert data_version(engine, ["streamers"]) == ""


def test_saved_profiles_load_back_equal(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    profiles = [
        HostProfile(
            "a",
            "ready",
            np.array([0.25, 0.75]),
            None,
            np.array([0.5, 0.5]),
            40,
            0,
            ["口红", "显白"],
            ["这个口红显白吗"],
            np.array([0.6, 0.8], dtype=np.float32),
        ),
        HostProfile("b", "insufficient_data", None, None, None, 3, 1, []),
    ]
    save_profiles(engine, "7", "run-1", profiles)
    save_profiles(engine, "7", "run-1", profiles[:1])  # replacing is harmless
    loaded = load_profiles(engine, "7", "run-1", ["a", "b", "c"])
    assert set(loaded) == {"a", "b"}
    assert np.array_equal(loaded["a"].talk, profiles[0].talk) and loaded["a"].fans is None
    assert loaded["a"].keywords == ["口红", "显白"] and loaded["b"].combined is None
    assert loaded["a"].evidence == ["这个口红显白吗"] and loaded["b"].evidence == []
    assert np.array_equal(loaded["a"].words, profiles[0].words) and loaded["b"].words is None
    assert load_profiles(engine, "8", "run-1", ["a"]) == {}
    assert load_profiles(engine, "7", "run-2", ["a"]) == {}
    for host in ("a", "b"):  # one host alone (a served request's read) reads the same
        (alone,) = load_profiles(engine, "7", "run-1", [host]).values()
        assert _same_profile(alone, loaded[host])
    assert load_profiles(engine, "7", "run-1", ["c"]) == {}


def _same_profile(one: HostProfile, other: HostProfile) -> bool:
    """Every field equal (arrays element by element)."""
    values = [(getattr(one, field.name), getattr(other, field.name)) for field in fields(one)]
    return all(
        np.array_equal(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else a == b
        for a, b in values
    )


def test_keywords_stored_as_weights_load_heaviest_first(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    older = HostProfile("a", "ready", None, None, None, 40, 0, [], [])
    save_profiles(engine, "7", "run-1", [older])
    table = Base.metadata.tables[HostProfileRow.__tablename__]
    with engine.begin() as connection:  # as profiles were stored before 2026-11-26
        connection.execute(
            update(table).values(
                keywords=json.dumps({"显白": 1.0, "口红": 2.5, "试色": 1.0, "零": 0})
            )
        )
    loaded = load_profiles(engine, "7", "run-1", ["a"])
    assert loaded["a"].keywords == ["口红", "显白", "试色"]


def test_catalogue_vectors_are_saved_and_reused(trained_home: Path, tmp_path: Path) -> None:
    engine, service = _store_copy(trained_home, tmp_path)  # the service built the vectors
    assert _count(engine, CatalogueVectorsRow) == 1
    built = service.recommender.catalogue
    products = built.products
    stored = load_catalogue_vectors(engine, service.derived_key, data_version(engine), products)
    assert stored is not None
    assert np.array_equal(stored.matrix, built.matrix)
    assert np.array_equal(stored.categories, built.categories)
    assert list(stored.tokens) == list(built.tokens)
    again = RadarService(engine, service.model, model_version=service.model_version)
    assert np.array_equal(again.recommender.product_vectors, service.recommender.product_vectors)
    assert load_catalogue_vectors(engine, service.derived_key, "other", products) is None
    assert (
        load_catalogue_vectors(engine, service.derived_key, data_version(engine), products[1:])
        is None
    )
    before = data_version(engine, CATALOGUE_TABLES)
    _ingest_run(engine, "new text", transcripts=4)
    assert data_version(engine, CATALOGUE_TABLES) == before  # the vectors stay valid
    assert load_catalogue_vectors(engine, service.derived_key, before, products) is not None
    _ingest_run(engine, "new products", products=1)
    assert data_version(engine, CATALOGUE_TABLES) == "new products"  # built again


def test_scoring_in_chunks_gives_the_same_lists(
    trained_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, service = _store_copy(trained_home, tmp_path)
    whole = list(service.recommend_all(top_k=5, min_fit=0.5))
    monkeypatch.setattr(radar_service, "HOST_CHUNK", 5)
    heard: list[tuple[int, int]] = []
    other = replace(service.model, identity="another model")  # profiles built anew
    fresh = RadarService(engine, other, model_version=service.model_version)
    chunked = list(fresh.recommend_all(top_k=5, min_fit=0.5, progress=lambda *p: heard.append(p)))
    assert [r.streamer_id for r in chunked] == [r.streamer_id for r in whole]
    assert [[i.product_id for i in r.items] for r in chunked] == [
        [i.product_id for i in r.items] for r in whole
    ]
    assert heard[-1] == (len(whole), len(whole)) and len(heard) >= 3


def test_a_snapshot_of_the_store_gives_the_same_lists(trained_home: Path, tmp_path: Path) -> None:
    engine, service = _store_copy(trained_home, tmp_path)
    snapshot = read_snapshot(engine)
    assert sum(len(outcomes) for outcomes, _ in snapshot.histories.values()) > 0
    read_once = RadarService(
        engine, service.model, model_version=service.model_version, snapshot=snapshot
    )
    for host in ("h0002", "h0005", "nobody-placed"):
        assert read_once._histories([host]) == service._histories([host])

    def lists(recommender: RadarService) -> list[tuple[str, list[tuple[str, float]]]]:
        return [
            (r.streamer_id, [(i.product_id, i.fit) for i in r.items])
            for r in recommender.recommend_all(top_k=5, min_fit=0.5)
        ]

    assert lists(read_once) == lists(service)


def test_a_one_host_read_that_waits_too_long_says_the_store_is_busy(
    fresh_postgres_url: Callable[[str], str],
) -> None:
    """The one-host read goes through the DB-API cursor: a lock it waits for too long (a
    migration holding the table) must still come up as `StoreBusyError`, saying what to do,
    not as the driver's own error."""
    url = fresh_postgres_url("store")
    engine = open_store(url, busy_timeout=0.2)
    save_profiles(
        engine, "7", "run-1", [HostProfile("a", "insufficient_data", None, None, None, 3, 1, [])]
    )
    holder = open_store(url)
    with holder.connect() as connection, connection.begin():
        connection.exec_driver_sql("LOCK TABLE host_profiles IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreBusyError, match="RADAR_STORE_BUSY_TIMEOUT_SECONDS"):
            load_profiles(engine, "7", "run-1", ["a"])
        with pytest.raises(StoreBusyError):
            load_profiles(engine, "7", "run-1", ["a", "b"])  # the ORM's path, for comparison
