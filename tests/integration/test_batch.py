"""radar batch: files and store rows, identical re-runs, no partial files, same lists as
the API. Killed runs: test_batch_killed.py; publication and recovery: test_batch_publication.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from radar.errors import RadarError
from radar.service import service as radar_service
from radar.settings import Settings
from radar.store import WeeklyRecommendation, open_store
from serving.app import create_app
from serving.batch import iso_week
from tests.homes import ON_POSTGRES_HOME, TrainedHome
from tests.integration.batch_state import WEEK, batch


def test_files_rows_and_identical_reruns(own_home: Path, tmp_path: Path) -> None:
    summary = batch(own_home, tmp_path / "a", min_fit=0.5)
    again = batch(own_home, tmp_path / "b", min_fit=0.5)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [f"recommendations-{WEEK}.{ext}" for ext in ("csv", "parquet", "xlsx")]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert summary.rows == again.rows > 0  # type: ignore[attr-defined]

    raw = (tmp_path / "a" / f"recommendations-{WEEK}.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["week", "streamer_id", "streamer_name", "rank", "product_id"]
    assert all(row[2] for row in rows[1:])  # every host by its name
    assert len(rows) - 1 == summary.rows  # type: ignore[attr-defined]
    table = pq.read_table(tmp_path / "a" / f"recommendations-{WEEK}.parquet")
    assert {"week", "streamer_id", "streamer_name", "rank", "product_id", "fit", "reasons"} <= set(
        table.column_names
    )
    workbook = load_workbook(tmp_path / "a" / f"recommendations-{WEEK}.xlsx")
    people, meeting = workbook.worksheets  # by host, and the selection meeting's
    assert people.max_row == len(rows) and people.auto_filter.ref
    head = [cell.value for cell in people[1]]
    assert head[:5] == ["周", "主播ID", "主播", "排名", "商品ID"]
    assert [cell.value for cell in people[2]][4] == rows[1][4]  # the same first product
    price, fit, reasons, score = (  # as operations read them
        people.cell(2, head.index(name) + 1) for name in ("价格", "匹配度", "推荐理由", "提案分")
    )
    assert "¥" in price.number_format and fit.number_format == "0.00%"
    assert isinstance(fit.value, float) and reasons.alignment.wrap_text
    assert score.number_format == "0.00%" and 0 <= score.value <= 1
    assert people.freeze_panes == "A2"
    assert meeting.title.startswith("选题会") and meeting.freeze_panes == "A2"
    below = rows[0].index("below_cut")
    at_cut = [row for row in rows[1:] if row[below] == "false"]
    assert len(at_cut) < len(rows) - 1  # hosts with nothing at 0.5 show the closest products
    assert meeting.auto_filter.ref and meeting.max_row == len(at_cut) + 1  # none below it
    top = [cell.value for cell in meeting[1]]
    by_host: dict[str, list[tuple[int, float]]] = {}
    for line in meeting.iter_rows(min_row=2, values_only=True):
        host, place, proposal = (line[top.index(n)] for n in ("主播ID", "提案排名", "提案分"))
        by_host.setdefault(host, []).append((place, proposal))
    for places in by_host.values():  # each host's list by proposal score, best first
        assert [place for place, _ in places] == list(range(1, len(places) + 1))
        assert [p for _, p in places] == sorted((p for _, p in places), reverse=True)

    engine = open_store(Settings(home=own_home).resolved_database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(WeeklyRecommendation)).all()
    assert len(stored) == summary.rows  # type: ignore[attr-defined]
    # the store's reasons are the files' text; the whole reasons beside it, as in the Parquet
    header = rows[0]
    in_csv = {
        (row[1], int(row[header.index("rank")])): row[header.index("reasons")] for row in rows[1:]
    }
    assert {(row.streamer_id, row.rank): row.reasons for row in stored} == in_csv
    in_parquet = table.select(["streamer_id", "rank", "reasons_json"]).to_pylist()
    assert {(row.streamer_id, row.rank): row.reasons_json for row in stored} == {
        (row["streamer_id"], row["rank"]): row["reasons_json"] for row in in_parquet
    }
    assert all(json.loads(row.reasons_json)["text"] == row.reasons for row in stored)


def test_forked_workers_give_the_same_files(
    own_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(radar_service, "HOST_CHUNK", 5)  # three chunks for two workers
    batch(own_home, tmp_path / "one", min_fit=0.5)
    summary = batch(own_home, tmp_path / "two", min_fit=0.5, workers=2)
    assert summary.rows > 0  # type: ignore[attr-defined]
    for name in sorted(p.name for p in (tmp_path / "one").iterdir()):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_batch_stopped_while_workers_score_leaves_no_file(
    trained_home: Path, tmp_path: Path
) -> None:
    def crash(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch(trained_home, tmp_path / "out", progress=crash, workers=2)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_batch_and_api_give_the_same_list(own_home: Path, tmp_path: Path) -> None:
    batch(own_home, tmp_path, min_fit=0.5, top_k=5)
    with (tmp_path / f"recommendations-{WEEK}.csv").open(encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if row["streamer_id"] == "h0002"]
    settings = Settings(home=own_home, api_keys="k")
    with TestClient(create_app(settings)) as client:
        body = client.post(
            "/v1/recommend",
            json={"streamer_id": "h0002", "top_k": 5, "min_fit": 0.5},
            headers={"X-API-Key": "k"},
        ).json()
    assert [row["product_id"] for row in rows] == [item["product_id"] for item in body["items"]]
    assert [float(row["fit"]) for row in rows] == [item["fit"] for item in body["items"]]


def test_week_is_checked() -> None:
    assert iso_week("2026-W48") == "2026-W48"
    with pytest.raises(RadarError, match="ISO week"):
        iso_week("2026-48")


def test_the_dask_engine_gives_the_same_files(own_home: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    from serving.dask_engine import dask_engine

    batch(own_home, tmp_path / "numpy", min_fit=0.5)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        with dask_engine(cluster.scheduler_address) as scoring:
            batch(own_home, tmp_path / "dask", min_fit=0.5, scoring=scoring)
    for name in sorted(p.name for p in (tmp_path / "numpy").iterdir()):
        assert (tmp_path / "numpy" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_no_scheduler_is_a_clear_error() -> None:
    from serving.dask_engine import dask_engine

    with (
        pytest.raises(RadarError, match="no Dask scheduler"),
        dask_engine("tcp://127.0.0.1:1", timeout="2s"),
    ):
        pass


@ON_POSTGRES_HOME
def test_postgresql_gives_the_same_files_as_sqlite(
    own_home: Path,
    own_postgres_home: TrainedHome,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch(own_home, tmp_path / "sqlite", min_fit=0.5)
    for name, value in own_postgres_home.environment.items():
        monkeypatch.setenv(name, value)
    summary = batch(own_postgres_home.home, tmp_path / "postgresql", min_fit=0.5)
    assert summary.rows > 0  # type: ignore[attr-defined]
    names = sorted(p.name for p in (tmp_path / "sqlite").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "postgresql").iterdir())
    for name in names:
        sqlite, postgresql = tmp_path / "sqlite" / name, tmp_path / "postgresql" / name
        assert sqlite.read_bytes() == postgresql.read_bytes(), name
    engine = open_store(own_postgres_home.database_url or "")
    with engine.connect() as connection:
        stored = connection.execute(select(WeeklyRecommendation)).all()
    assert engine.dialect.name == "postgresql" and len(stored) == summary.rows  # type: ignore[attr-defined]


def test_the_closest_products_below_the_cut_are_no_recommendations(
    own_home: Path, tmp_path: Path
) -> None:
    """A host with nothing at the cut gets its closest products, marked: they are listed
    but never count as a recommendation that a placement followed."""
    from radar.store.adoptions import read_listed

    summary = batch(own_home, tmp_path, min_fit=0.5)
    engine = open_store(Settings(home=own_home).resolved_database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(WeeklyRecommendation)).all()
    below = {(row.streamer_id, row.rank) for row in rows if row.below_cut}
    assert below and all(row.fit < 0.5 for row in rows if row.below_cut)
    assert {row.streamer_id for row in rows if row.below_cut} <= set(
        summary.no_fitting_product  # type: ignore[attr-defined]
    )
    listed = {(item.streamer_id, item.rank) for item in read_listed(engine)}
    assert listed and not listed & below
