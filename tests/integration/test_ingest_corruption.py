"""One bad row must not sink an ingest: a folder holding every kind of corrupt row
loads through the real `radar ingest` CLI with each bad row quarantined with a reason,
on any store (the checks run before the database sees a row, not by its laxity)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import String, create_engine, select

from radar.store.models import Base

RADAR = Path(sys.executable).parent / "radar"
LOOKALIKES = ("h0001\u200b", "\u200fh0001", "h00\ufeff01")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], *, tail: str = "") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        handle.write(tail)


def ingest_command(folder: Path, home: Path, store_url: str) -> dict[str, Any]:
    env = {**os.environ, "RADAR_HOME": str(home), "RADAR_DATABASE_URL": store_url}
    return {"args": [str(RADAR), "ingest", str(folder), "--json"], "env": env}


def ingest(folder: Path, home: Path, store_url: str) -> subprocess.CompletedProcess[str]:
    command = ingest_command(folder, home, store_url)
    return subprocess.run(**command, capture_output=True, text=True, timeout=600)


def strict_json(line: str) -> Any:
    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(line, parse_constant=refuse)


def bad_streamers(folder: Path) -> dict[str, str]:
    """streamers.csv: NUL, over-long id and names, lookalike ids, and an unterminated quote
    with good hosts after it. Returns the reasons expected."""
    rows = read_csv(folder / "streamers.csv")
    host = rows[0]
    rows += [
        {**host, "streamer_id": "h-nul", "name": "小\x00鹿"},
        {**host, "streamer_id": "h" * 65},
        {**host, "streamer_id": "h-long-name", "name": "鹿" * 201},
        {**host, "streamer_id": "h-huge-name", "name": "鹿" * 2_000_000},
        *({**host, "streamer_id": lookalike} for lookalike in LOOKALIKES),
    ]
    tail = 'h-quote,"说到一半,服饰\nh-after-1,后来的主播,服饰\nh-after-2,又一个,美妆\n'
    write_csv(folder / "streamers.csv", rows, tail=tail)
    return {
        "h-nul": "NUL character in name",
        "h" * 65: "too long in streamer_id: 65 > 64",
        "h-long-name": "too long in name: 201 > 200",
        "h-huge-name": "too long in name: 2000000 > 200",
        **{lookalike: "invisible character in streamer_id" for lookalike in LOOKALIKES},
        "h-quote": "unterminated quote",
    }


def bad_comments(folder: Path) -> dict[str, str]:
    """comments.jsonl: a line nested 100,000 deep, a time that overflows in Beijing time,
    nested values, NUL, a duplicate key, an over-long id and a lookalike host."""
    rows: list[dict[str, Any]] = read_csv(folder / "comments.csv")
    (folder / "comments.csv").unlink()
    comment = rows[0]
    bad: list[dict[str, Any]] = [
        {**comment, "comment_id": "c-year-one", "created_at": "0001-01-01T00:00:00+14:00"},
        {**comment, "comment_id": "c-object", "text": {"nested": {"deeper": "好"}}},
        {**comment, "comment_id": "c-list", "text": ["好", "看"]},
        {**comment, "comment_id": "c-nul", "text": "好\x00看"},
        {**comment, "comment_id": "c" * 65},
        {**comment, "comment_id": "c-lookalike", "streamer_id": LOOKALIKES[0]},
    ]
    with (folder / "comments.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows[:100] + bad + rows[100:]:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.write("[" * 100_000 + "]" * 100_000 + "\n")
        handle.write('{"comment_id": "c-dup", "text": "甲", "text": "乙"}\n')
        handle.write(json.dumps({**comment, "comment_id": "c-last"}, ensure_ascii=False) + "\n")
    return {
        "c-year-one": "time out of range in created_at",
        "c-object": "not text in text: a JSON object",
        "c-list": "not text in text: a list",
        "c-nul": "NUL character in text",
        "c" * 65: "too long in comment_id: 65 > 64",
        "c-lookalike": "invisible character in streamer_id",
        "deep": "not valid JSON: nested too deeply",
        "c-dup": "duplicate key 'text' in the JSON object",
    }


def bad_products(folder: Path) -> dict[str, str]:
    """products.parquet: binary titles (UTF-8 or not), struct attributes, a list in a
    text column."""
    rows = read_csv(folder / "products.csv")
    (folder / "products.csv").unlink()
    count = len(rows)
    titles = [row["title"].encode() for row in rows] + [b"\xff\xfe", "好".encode()]
    ids = [row["product_id"] for row in rows] + ["p-binary", "p-list"]
    descriptions: list[list[str] | None] = [None] * (count + 1) + [["第一", "第二"]]
    attributes = [{"颜色": "红", "尺码": [36, 37]}] * (count + 2)
    table = pa.table(
        {
            "product_id": ids,
            "title": pa.array(titles, pa.binary()),
            "description": pa.array(descriptions, pa.list_(pa.string())),
            "category": [row["category"] for row in rows] + ["宠物", "宠物"],
            "price": [float(row["price"]) for row in rows] + [1.0, 1.0],
            "attributes": attributes,
        }
    )
    pq.write_table(table, folder / "products.parquet")
    return {
        "p-binary": "not text in title: bytes that are not UTF-8",
        "p-list": "not text in description: a list",
    }


def test_a_folder_of_corrupt_rows_loads_with_each_bad_row_quarantined(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    folder = tmp_path / "corrupt"
    shutil.copytree(small_demo_data, folder)
    expected = {
        "streamers": bad_streamers(folder),
        "comments": bad_comments(folder),
        "products": bad_products(folder),
    }
    home = tmp_path / "home"
    result = ingest(folder, home, store_url)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    counts = json.loads(result.stdout)
    assert set(counts) == {"streamers", "products", "transcripts", "comments", "placements"}
    for name, table in counts.items():
        assert table["read"] == table["loaded"] + table["quarantined"], (name, table)
        assert table["quarantined"] == len(expected.get(name, {})), (name, table)
    quarantined = {
        path.name.removesuffix(".jsonl"): [strict_json(line) for line in path.open()]
        for path in (home / "quarantine").glob("*/*.jsonl")
    }
    for name, reasons in expected.items():
        got = [entry["reason"] for entry in quarantined[name]]
        for reason in reasons.values():
            assert any(text.startswith(reason) for text in got), (name, reason, got)
    assert not list((home / "quarantine").glob("**/*.part"))

    engine = create_engine(store_url)
    with engine.connect() as connection:
        hosts = set(connection.scalars(select(Base.metadata.tables["streamers"].c.streamer_id)))
        assert {"h-after-1", "h-after-2"} <= hosts  # nothing swallowed after the bad quote
        assert not hosts & set(expected["streamers"])
        comment_ids = set(connection.scalars(select(Base.metadata.tables["comments"].c.comment_id)))
        assert "c-last" in comment_ids
        assert not comment_ids & set(expected["comments"])
        for table in Base.metadata.tables.values():
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if not isinstance(value, str):
                        continue
                    assert "\x00" not in value, (table.name, column)
                    assert not value.startswith(("{'", "['", "b'", 'b"')), (table.name, value)
                    length = getattr(table.c[column].type, "length", None)
                    if isinstance(table.c[column].type, String) and length is not None:
                        assert len(value) <= length, (table.name, column)
        attributes = connection.scalars(select(Base.metadata.tables["products"].c.attributes))
        assert {json.loads(text)["颜色"] for text in attributes} == {"红"}
    engine.dispose()


def test_a_symlink_out_of_the_folder_is_refused_without_echoing_its_content(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    folder = tmp_path / "linked"
    shutil.copytree(small_demo_data, folder)
    secret = tmp_path / "secret.txt"
    secret.write_text("radar:SECRET-FIRST-LINE\n", encoding="utf-8")
    (folder / "comments.csv").unlink()
    (folder / "comments.csv").symlink_to(secret)

    result = ingest(folder, tmp_path / "home", store_url)

    assert result.returncode == 1, result.stderr
    assert "SECRET" not in result.stdout + result.stderr
    counts = json.loads(result.stdout)
    assert "outside" in counts["comments"]["error"]
    assert counts["streamers"]["loaded"] == len(read_csv(small_demo_data / "streamers.csv"))


def test_a_duplicate_header_refuses_the_table_naming_the_column(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    folder = tmp_path / "dup"
    shutil.copytree(small_demo_data, folder)
    text = (folder / "streamers.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    lines = [f"{line},假名字" if line else line for line in rest.split("\n")]
    (folder / "streamers.csv").write_text(f"{header},name\n" + "\n".join(lines), "utf-8")

    result = ingest(folder, tmp_path / "home", store_url)

    assert result.returncode == 1, result.stderr
    counts = json.loads(result.stdout)
    assert "column 'name' twice" in counts["streamers"]["error"]


def test_a_killed_ingests_part_file_is_removed_by_the_next_run(
    small_demo_data: Path, tmp_path: Path, store_url: str
) -> None:
    folder = tmp_path / "slow"
    shutil.copytree(small_demo_data, folder)
    rows = read_csv(folder / "streamers.csv")
    write_csv(
        folder / "streamers.csv", [*rows, {**rows[0], "streamer_id": "h-nul", "name": "\x00"}]
    )
    comments = read_csv(folder / "comments.csv")
    many = [
        {**row, "comment_id": f"{row['comment_id']}-{n}"} for n in range(40) for row in comments
    ]
    write_csv(folder / "comments.csv", many)
    home = tmp_path / "home"
    process = subprocess.Popen(**ingest_command(folder, home, store_url), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(home.glob("quarantine/*/streamers.jsonl.part")):
        assert process.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    (killed_run,) = [path for path in (home / "quarantine").iterdir() if path.is_dir()]

    result = ingest(small_demo_data, home, store_url)

    assert result.returncode == 0, result.stderr[-3000:]
    assert not killed_run.exists()
    assert not list(home.glob("quarantine/**/*.part"))
