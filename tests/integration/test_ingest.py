"""`radar ingest` against a real store (SQLite, and PostgreSQL where `store_url` is used):
counts, quarantine, idempotence, formats."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, select

from radar.errors import NoInputError
from radar.ingest import ingest_directory
from radar.ingest.upsert import copy_in_pages
from radar.store import open_store
from radar.store.models import Base

LIMITS = {"comments": 200, "transcripts": 20_000, "products": 2_000}


def store_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table's rows, sorted (the ingest log is left out)."""
    with engine.connect() as connection:
        return {
            name: sorted(connection.execute(select(table)).all(), key=repr)
            for name, table in Base.metadata.tables.items()
            if name != "ingest_runs"
        }


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    header = next(csv.reader(path.open(encoding="utf-8", newline="")))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header).writerows(rows)


def run_cli(*args: str, home: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RADAR_HOME": str(home),
        "RADAR_MAX_COMMENT_CHARS": str(LIMITS["comments"]),
        **variables,
    }
    command = [sys.executable, "-c", "from cli.main import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_demo_data_loads_whole_and_reingest_changes_nothing(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    engine = open_store(store_url)
    report = ingest_directory(
        small_demo_data, engine, quarantine_root=tmp_path / "q", max_text_chars=LIMITS
    )
    assert set(report.tables) == {"streamers", "products", "transcripts", "comments", "placements"}
    for name, counts in report.tables.items():
        expected = len(read_csv(small_demo_data / f"{name}.csv"))
        assert (counts.read, counts.loaded, counts.quarantined) == (expected, expected, 0), name
    before = store_rows(engine)
    again = ingest_directory(
        small_demo_data, engine, quarantine_root=tmp_path / "q", max_text_chars=LIMITS
    )
    assert {n: c.as_contract() for n, c in again.tables.items()} == {
        n: c.as_contract() for n, c in report.tables.items()
    }
    assert store_rows(engine) == before


def corrupt_copy(source: Path, target: Path) -> dict[str, set[str]]:
    """Copy the demo data and add bad rows of every kind; returns the reasons expected."""
    shutil.copytree(source, target)
    comment = read_csv(target / "comments.csv")[0]
    good_time = comment["created_at"]
    bad_comments = [
        {**comment, "comment_id": "bad-empty", "text": ""},
        {**comment, "comment_id": "bad-time", "created_at": "昨天晚上"},
        {**comment, "comment_id": "bad-host", "streamer_id": "h9999"},
        {**comment, "comment_id": "bad-long", "text": "好" * (LIMITS["comments"] + 1)},
        {**comment},  # the same comment_id again: a duplicate within the file
        {**comment, "comment_id": "bad-kind", "kind": "礼物", "created_at": good_time},
    ]
    append_rows(target / "comments.csv", bad_comments)
    header = next(csv.reader((target / "comments.csv").open(encoding="utf-8")))
    bad_bytes = {**comment, "comment_id": "bad-bytes", "text": "@@"}
    line = ",".join(bad_bytes[name] for name in header).encode().replace(b"@@", b"\xff\xfe\xb0")
    with (target / "comments.csv").open("ab") as handle:
        handle.write(line + b"\n")
        handle.write(b"only,three,fields\n")
    product = read_csv(target / "products.csv")[0]
    append_rows(
        target / "products.csv",
        [{**product}, {**product, "product_id": "bad-price", "price": "九十九"}],
    )
    placement = read_csv(target / "placements.csv")[0]
    append_rows(
        target / "placements.csv",
        [{**placement, "placement_id": "bad-product", "product_id": "p404"}],
    )
    transcripts = (target / "transcripts.csv").read_text(encoding="utf-8")
    (target / "transcripts.csv").write_bytes(transcripts.encode("gb18030"))
    return {
        "comments": {
            "empty text in text",
            "unparseable time in created_at",
            "unknown streamer",
            "text too long in text",
            "duplicate id",
            "kind must be one of comment, danmaku",
            "undecodable bytes in text",
            "wrong number of fields",
        },
        "products": {"duplicate id", "not a number in price"},
        "placements": {"unknown product"},
    }


def test_corrupted_copy_quarantines_every_bad_row(
    small_demo_data: Path, tmp_path: Path, radar_home: Path, store_url: str
) -> None:
    folder = tmp_path / "corrupted"
    expected_reasons = corrupt_copy(small_demo_data, folder)
    result = run_cli("ingest", str(folder), "--json", home=radar_home, RADAR_DATABASE_URL=store_url)
    assert result.returncode == 1, result.stderr  # transcripts could not be read at all
    counts = json.loads(result.stdout)
    assert "not UTF-8" in counts["transcripts"]["error"]
    assert "GB" in counts["transcripts"]["error"]
    for name, table in counts.items():
        assert table["read"] == table["loaded"] + table["quarantined"], name
    quarantined = {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in radar_home.glob("quarantine/*/*.jsonl")
    }
    for name, reasons in expected_reasons.items():
        got = [entry["reason"] for entry in quarantined[name]]
        assert len(got) == counts[name]["quarantined"] == len(reasons), (name, "\n".join(got))
        for reason in reasons:
            assert any(reason in entry for entry in got), (name, reason, got)
    bad_bytes = next(e for e in quarantined["comments"] if "undecodable" in e["reason"])
    assert "\\xff\\xfe\\xb0" in bad_bytes["row"]["text"]  # kept, visibly, not lost

    engine = open_store(store_url)
    before = store_rows(engine)
    assert before["transcripts"] == []
    again = run_cli("ingest", str(folder), "--json", home=radar_home, RADAR_DATABASE_URL=store_url)
    assert json.loads(again.stdout) == counts
    assert store_rows(engine) == before


def test_jsonl_and_parquet_load_like_csv(small_demo_data: Path, tmp_path: Path) -> None:
    as_csv = open_store(f"sqlite:///{tmp_path / 'csv.db'}")
    ingest_directory(small_demo_data, as_csv, quarantine_root=tmp_path / "q", max_text_chars=LIMITS)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for index, path in enumerate(sorted(small_demo_data.glob("*.csv"))):
        rows = read_csv(path)
        if index % 2:
            with (mixed / f"{path.stem}.jsonl").open("w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            pq.write_table(pa.Table.from_pylist(rows), mixed / f"{path.stem}.parquet")
    as_mixed = open_store(f"sqlite:///{tmp_path / 'mixed.db'}")
    report = ingest_directory(
        mixed, as_mixed, quarantine_root=tmp_path / "q", max_text_chars=LIMITS
    )
    assert all(counts.quarantined == 0 for counts in report.tables.values())
    assert store_rows(as_mixed) == store_rows(as_csv)


def test_excel_workbooks_load_like_csv(small_demo_data: Path, tmp_path: Path) -> None:
    """Every table as `NAME.xlsx` (first sheet, header first), times as Excel keeps them:
    date cells, or text in Excel's own form (`2026/11/1 9:05`)."""
    from openpyxl import Workbook

    as_csv = open_store(f"sqlite:///{tmp_path / 'csv.db'}")
    expected = ingest_directory(
        small_demo_data, as_csv, quarantine_root=tmp_path / "q", max_text_chars=LIMITS
    )
    books = tmp_path / "books"
    books.mkdir()
    for index, path in enumerate(sorted(small_demo_data.glob("*.csv"))):
        rows = read_csv(path)
        book = Workbook()
        sheet = book.active
        sheet.title = "导出"
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(
                [_as_excel(column, value, text=bool(index % 2)) for column, value in row.items()]
            )
        book.create_sheet("备注").append(["ignored: only the first sheet is read"])
        book.save(books / f"{path.stem}.xlsx")
    as_excel = open_store(f"sqlite:///{tmp_path / 'excel.db'}")
    report = ingest_directory(
        books, as_excel, quarantine_root=tmp_path / "q2", max_text_chars=LIMITS
    )
    assert {name: counts.loaded for name, counts in report.tables.items()} == {
        name: counts.loaded for name, counts in expected.tables.items()
    }
    assert all(counts.quarantined == 0 for counts in report.tables.values())
    assert store_rows(as_excel) == store_rows(as_csv)


def _as_excel(column: str, value: str, *, text: bool) -> object:
    """A CSV value as an Excel user's cell: times as date cells or as Excel's text form,
    numbers as numbers, empty as an empty cell."""
    from datetime import datetime, timedelta, timezone

    if value == "":
        return None
    if column.endswith("_at"):  # Excel has no time zones: Beijing time, as ingest reads it
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
        if text:
            return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment:%M:%S}"
        return moment
    if column in {"price", "orders", "gmv", "stock", "converted"}:
        return float(value) if "." in value else int(value)
    return value


def test_a_bom_is_allowed(small_demo_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bom"
    folder.mkdir()
    text = (small_demo_data / "streamers.csv").read_text(encoding="utf-8")
    (folder / "streamers.csv").write_text(text, encoding="utf-8-sig")
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    report = ingest_directory(folder, engine, quarantine_root=tmp_path / "q", max_text_chars=LIMITS)
    assert report.tables["streamers"].quarantined == 0
    assert report.tables["streamers"].loaded == len(read_csv(folder / "streamers.csv"))


def test_a_missing_column_names_table_and_column(tmp_path: Path, radar_home: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "products.csv").write_text("product_id,name\np1,口红\n", encoding="utf-8")
    result = run_cli("ingest", str(folder), home=radar_home)
    assert result.returncode == 1
    assert "products" in result.stderr and "no column title" in result.stderr


def test_an_empty_folder_is_a_clear_error(tmp_path: Path, radar_home: Path) -> None:
    result = run_cli("ingest", str(tmp_path), home=radar_home)
    assert result.returncode == 2
    assert "holds none of the tables" in result.stderr
    with pytest.raises(NoInputError):
        ingest_directory(
            tmp_path, open_store("sqlite://"), quarantine_root=tmp_path, max_text_chars=LIMITS
        )


def test_a_failed_run_leaves_the_store_and_quarantine_as_they_were(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    engine = open_store(store_url)
    folder = tmp_path / "bad"
    corrupt_copy(small_demo_data, folder)
    quarantine = tmp_path / "q"

    def crash(table: str, done: int, total: int) -> None:
        if table == "placements":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        ingest_directory(
            folder, engine, quarantine_root=quarantine, max_text_chars=LIMITS, progress=crash
        )
    assert all(rows == [] for rows in store_rows(engine).values())
    assert not list(quarantine.glob("**/*.jsonl*"))


def test_staged_rows_copied_in_pages_upsert_every_row(tmp_path: Path) -> None:
    """The publishing path of dialects without a native upsert (pages of 2 rows)."""
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    streamers = Base.metadata.tables["streamers"]
    staging = Table(
        "staged_streamers",
        MetaData(),
        *(
            Column(column.name, column.type, primary_key=column.primary_key)
            for column in streamers.columns
        ),
        Column("ingest_line", Integer),
        prefixes=["TEMPORARY"],
    )
    staged = [
        {"streamer_id": f"h{n}", "name": f"new {n}", "tags": None, "ingest_line": n}
        for n in range(5)
    ]
    with engine.begin() as connection:
        connection.execute(streamers.insert(), {"streamer_id": "h3", "name": "old", "tags": "x"})
        staging.create(connection)
        connection.execute(staging.insert(), staged)
        copy_in_pages(connection, streamers, staging, page_rows=2)
        stored = connection.execute(select(streamers).order_by(streamers.c.streamer_id)).all()
    assert stored == [(f"h{n}", f"new {n}", None) for n in range(5)]
