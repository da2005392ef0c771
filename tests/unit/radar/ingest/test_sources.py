"""Reading input files: whole-file refusals name the problem without quoting foreign
content, and a malformed row is reported as one bad row, never swallowing the rows after it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from radar.errors import TableError
from radar.ingest.sources import RawRow, TableSource, check_source, find_sources, iter_rows
from radar.schema import COMMENTS, STREAMERS, TABLES

HEADER = "comment_id,streamer_id,created_at,text\n"


def source_of(folder: Path, name: str, text: str) -> TableSource:
    (folder / name).write_text(text, encoding="utf-8")
    (found,) = find_sources(folder, TABLES)
    check_source(found)
    return found


def rows_of(found: TableSource) -> list[RawRow]:
    return list(iter_rows(found))


def test_a_duplicate_header_name_refuses_the_table_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="column 'text' twice"):
        source_of(tmp_path, "comments.csv", HEADER.rstrip() + ", text\nc1,h1,2026-08-03,a,b\n")


def test_a_duplicate_parquet_column_refuses_the_table(tmp_path: Path) -> None:
    table = pa.table([["h1"], ["甲"], ["乙"]], names=["streamer_id", "name", "name"])
    pq.write_table(table, tmp_path / "streamers.parquet")
    (found,) = find_sources(tmp_path, TABLES)
    with pytest.raises(TableError, match="column 'name' twice"):
        check_source(found)


def test_a_duplicate_key_in_a_jsonl_object_is_a_bad_row(tmp_path: Path) -> None:
    good = {"streamer_id": "h1", "name": "甲"}
    text = json.dumps(good) + '\n{"streamer_id": "h2", "name": "乙", "name": "丙"}\n'
    rows = rows_of(source_of(tmp_path, "streamers.jsonl", text))
    assert [row.error for row in rows] == [None, "duplicate key 'name' in the JSON object"]


def test_an_unterminated_quote_costs_one_row_not_the_rest_of_the_file(tmp_path: Path) -> None:
    lines = [f"c{i},h1,2026-08-03,好{i}\n" for i in range(6)]
    lines[2] = 'c2,h1,2026-08-03,"说到一半\n'
    rows = rows_of(source_of(tmp_path, "comments.csv", HEADER + "".join(lines)))
    assert [row.values.get("comment_id") for row in rows if row.error is None] == [
        "c0", "c1", "c3", "c4", "c5"
    ]  # fmt: skip
    (bad,) = [row for row in rows if row.error is not None]
    assert bad.line == 4
    assert bad.error is not None and bad.error.startswith("unterminated quote")
    assert "end of the file" in bad.error
    assert bad.values == {"raw": 'c2,h1,2026-08-03,"说到一半'}


def test_a_quote_closed_by_a_later_row_is_reported_and_the_rows_between_read(
    tmp_path: Path,
) -> None:
    lines = [f"c{i},h1,2026-08-03,好{i}\n" for i in range(6)]
    lines[1] = 'c1,h1,2026-08-03,"说到一半\n'
    lines[4] = 'c4,h1,2026-08-03,"引用"的话\n'
    rows = rows_of(source_of(tmp_path, "comments.csv", HEADER + "".join(lines)))
    loaded = [row.values.get("comment_id") for row in rows if row.error is None]
    assert loaded == ["c0", "c2", "c3", "c5"]
    assert [row.line for row in rows if row.error] == [3, 6]
    assert len(rows) == 6  # every physical row is read once: loaded or quarantined


def test_a_quoted_multi_line_text_still_loads(tmp_path: Path) -> None:
    text = HEADER + 'c1,h1,2026-08-03,"第一行\n第二行, 还有逗号"\nc2,h1,2026-08-03,好\n'
    rows = rows_of(source_of(tmp_path, "comments.csv", text))
    assert [(row.line, row.error) for row in rows] == [(2, None), (4, None)]
    assert rows[0].values["text"] == "第一行\n第二行, 还有逗号"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ('{"streamer_id": "h2", "name": ' + "[" * 200 + "]" * 200 + "}", "nested too deeply"),
        ('{"streamer_id": "h2", "name": ' + "9" * 5000 + "}", "not valid JSON"),
    ],
)
def test_a_jsonl_line_json_cannot_handle_is_a_bad_row(
    tmp_path: Path, line: str, reason: str
) -> None:
    good = json.dumps({"streamer_id": "h1", "name": "甲"})
    rows = rows_of(source_of(tmp_path, "streamers.jsonl", f"{good}\n{line}\n{good}\n"))
    assert [row.error is None for row in rows] == [True, False, True]
    assert rows[1].error is not None and reason in rows[1].error


def test_a_bad_first_jsonl_line_does_not_refuse_the_table(tmp_path: Path) -> None:
    good = json.dumps({"streamer_id": "h1", "name": "甲"})
    rows = rows_of(source_of(tmp_path, "streamers.jsonl", "[" * 100_000 + f"\n{good}\n"))
    assert [row.error is None for row in rows] == [False, True]


def test_a_symlink_out_of_the_folder_is_refused_without_quoting_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:SECRET-FIRST-LINE\nmore\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "comments.csv").symlink_to(secret)
    (found,) = find_sources(folder, TABLES)
    with pytest.raises(TableError) as refusal:
        check_source(found)
    assert "outside" in str(refusal.value)
    assert "SECRET" not in str(refusal.value)


def test_a_symlink_within_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hosts.csv").write_text("streamer_id,name\nh1,甲\n", encoding="utf-8")
    (tmp_path / "streamers.csv").symlink_to(tmp_path / "data" / "hosts.csv")
    (found,) = find_sources(tmp_path, TABLES)
    assert found.spec is STREAMERS
    check_source(found)
    assert [row.values for row in iter_rows(found)] == [{"streamer_id": "h1", "name": "甲"}]


def test_a_nul_byte_in_a_csv_field_reaches_the_row_checks(tmp_path: Path) -> None:
    found = source_of(tmp_path, "comments.csv", HEADER + "c1,h1,2026-08-03,a\x00b\n")
    assert found.spec is COMMENTS
    assert [row.values["text"] for row in iter_rows(found)] == ["a\x00b"]


def test_a_parquet_value_python_cannot_hold_is_a_bad_row(tmp_path: Path) -> None:
    seconds = pa.array([1_754_222_400, 253_402_300_800 * 10, 1_754_222_460], pa.timestamp("s"))
    table = pa.table(
        {
            "comment_id": ["c1", "c2", "c3"],
            "streamer_id": ["h1", "h1", "h1"],
            "created_at": seconds,
            "text": ["好", "远", "近"],
        }
    )
    pq.write_table(table, tmp_path / "comments.parquet")
    (found,) = find_sources(tmp_path, TABLES)
    check_source(found)
    rows = list(iter_rows(found))
    assert [row.error is None for row in rows] == [True, False, True]
    assert rows[1].error is not None and rows[1].error.startswith("unreadable value in created_at")
    assert "out of range" in rows[1].values["created_at"]  # kept as Arrow shows it
    assert rows[1].values["text"] == "远"


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    (tmp_path / "streamers.xlsx").write_text("streamer_id,name\nh1,小美\n", encoding="utf-8")
    (source,) = find_sources(tmp_path, TABLES)
    with pytest.raises(TableError, match=r"not an Excel workbook.*save it from Excel as \.xlsx"):
        check_source(source)
