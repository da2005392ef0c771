"""Row checks that must run before the database sees a row: types, lengths from the
store's schema, NUL, invisible characters in ids, times that cannot be converted."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from radar.ingest.rows import Rejected, RowContext, clean_row, parse_time
from radar.schema import COMMENTS, PLACEMENTS, PRODUCTS, STREAMERS
from radar.store.models import Base


@pytest.fixture
def context() -> RowContext:
    return RowContext(
        max_text_chars={"comments": 2000, "transcripts": 100_000, "products": 20_000},
        streamers={"h1"},
        products={"p1"},
    )


def comment(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "streamer_id": "h1",
        "created_at": "2026-08-03T20:00:00+08:00",
        "text": "多少钱",
    }
    row.update(values)
    return row


def store_length(table: str, column: str) -> int:
    length = Base.metadata.tables[table].columns[column].type.length
    assert isinstance(length, int)
    return length


@pytest.mark.parametrize(
    ("table", "column", "row"),
    [
        ("comments", "comment_id", comment()),
        ("comments", "user_id", comment()),
        ("streamers", "streamer_id", {"name": "小美"}),
        ("streamers", "name", {"streamer_id": "h2"}),
        ("streamers", "tags", {"streamer_id": "h2", "name": "小美"}),
        ("products", "category", {"product_id": "p2", "title": "口红"}),
    ],
)
def test_values_longer_than_the_store_column_are_rejected(
    context: RowContext, table: str, column: str, row: dict[str, Any]
) -> None:
    spec = {"comments": COMMENTS, "streamers": STREAMERS, "products": PRODUCTS}[table]
    limit = store_length(table, column)
    clean_row(spec, {**row, column: "x" * limit}, context)  # exactly at the limit loads
    with pytest.raises(Rejected, match=f"too long in {column}: {limit + 1} > {limit}"):
        clean_row(spec, {**row, column: "x" * (limit + 1)}, context)


def test_a_name_of_millions_of_characters_is_rejected(context: RowContext) -> None:
    with pytest.raises(Rejected, match="too long in name: 17000000 > 200"):
        clean_row(STREAMERS, {"streamer_id": "h2", "name": "美" * 17_000_000}, context)


@pytest.mark.parametrize("column", ["text", "streamer_id", "comment_id", "kind"])
def test_a_nul_byte_is_rejected_in_any_column(context: RowContext, column: str) -> None:
    row = comment(comment_id="c1", kind="comment")
    with pytest.raises(Rejected, match=f"NUL character in {column}"):
        clean_row(COMMENTS, {**row, column: row[column][:1] + "\x00" + row[column][1:]}, context)


@pytest.mark.parametrize(
    ("streamer_id", "reason"),
    [
        ("h1\u200b", "invisible character in streamer_id: U+200B ZERO WIDTH SPACE"),
        ("\u200fh1", "invisible character in streamer_id: U+200F RIGHT-TO-LEFT MARK"),
        ("h\ufeff1", "invisible character in streamer_id: U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("h\x071", "control character in streamer_id: U+0007"),
        ("h\u00a01", "invisible character in streamer_id: U+00A0 NO-BREAK SPACE"),
        ("he\u03011", "id not in Unicode NFC form in streamer_id"),
    ],
)
def test_lookalike_ids_are_rejected_not_loaded_as_new_hosts(
    context: RowContext, streamer_id: str, reason: str
) -> None:
    with pytest.raises(Rejected, match=re.escape(reason)):
        clean_row(STREAMERS, {"streamer_id": streamer_id, "name": "小美"}, context)
    with pytest.raises(Rejected, match=re.escape(reason)):
        clean_row(COMMENTS, comment(streamer_id=streamer_id), context)


def test_invisible_characters_in_free_text_are_kept(context: RowContext) -> None:
    record = clean_row(COMMENTS, comment(text="好\u200b看\u200f"), context)
    assert record["text"] == "好\u200b看\u200f"


def test_a_time_that_overflows_when_converted_to_beijing_time_is_rejected(
    context: RowContext,
) -> None:
    with pytest.raises(Rejected, match="time out of range in created_at"):
        clean_row(COMMENTS, comment(created_at="0001-01-01T00:00:00+14:00"), context)
    with pytest.raises(Rejected, match="time out of range in created_at"):
        clean_row(COMMENTS, comment(created_at="9999-12-31T23:00:00-10:00"), context)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"nested": {"deeper": 1}}, "a JSON object"),
        (["a", "b"], "a list"),
        (b"\xff\xfe", "bytes that are not UTF-8"),
        (True, "a boolean"),
    ],
)
def test_values_that_are_not_text_are_rejected_never_stored_as_a_repr(
    context: RowContext, value: Any, kind: str
) -> None:
    with pytest.raises(Rejected, match=f"not text in text: {kind}"):
        clean_row(COMMENTS, comment(text=value), context)


def test_utf8_bytes_are_decoded(context: RowContext) -> None:
    record = clean_row(PRODUCTS, {"product_id": b"p9", "title": "口红".encode()}, context)
    assert (record["product_id"], record["title"]) == ("p9", "口红")


def test_nested_attributes_become_json_text(context: RowContext) -> None:
    row = {"product_id": "p9", "title": "口红", "attributes": {"颜色": "红", "尺码": [1, 2]}}
    record = clean_row(PRODUCTS, row, context)
    assert record["attributes"] == '{"颜色": "红", "尺码": [1, 2]}'
    with pytest.raises(Rejected, match="not text in attributes: a value with no JSON form"):
        clean_row(PRODUCTS, {**row, "attributes": {"x": float("nan")}}, context)


def test_numbers_have_their_types_and_the_store_range(context: RowContext) -> None:
    row = {"product_id": "p9", "title": "口红"}
    assert clean_row(PRODUCTS, {**row, "price": 9.5, "stock": 3}, context)["stock"] == 3
    with pytest.raises(Rejected, match="not a number in price: a boolean"):
        clean_row(PRODUCTS, {**row, "price": True}, context)
    with pytest.raises(Rejected, match="not a number in price: a JSON object"):
        clean_row(PRODUCTS, {**row, "price": {"amount": 9}}, context)
    with pytest.raises(Rejected, match="stock is out of range"):
        clean_row(PRODUCTS, {**row, "stock": 2**31}, context)
    with pytest.raises(Rejected, match="price must be a finite number"):
        clean_row(PRODUCTS, {**row, "price": 10**400}, context)


def test_a_boolean_outcome_is_a_flag(context: RowContext) -> None:
    row = {"streamer_id": "h1", "product_id": "p1", "started_at": datetime(2026, 8, 3, 20)}
    assert clean_row(PLACEMENTS, {**row, "converted": True}, context)["converted"] == 1
    assert clean_row(PLACEMENTS, {**row, "converted": False}, context)["converted"] == 0


def test_a_lone_surrogate_from_a_json_escape_is_rejected(context: RowContext) -> None:
    with pytest.raises(Rejected, match="invalid Unicode in text: a lone surrogate"):
        clean_row(COMMENTS, comment(text="好\ud800"), context)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/11/01 10:00", datetime(2026, 11, 1, 10, 0)),
        ("2026/11/1", datetime(2026, 11, 1)),
        ("2026/11/1 9:05:03", datetime(2026, 11, 1, 9, 5, 3)),
        ("2026-11-01T10:00:00", datetime(2026, 11, 1, 10, 0)),
    ],
)
def test_times_as_excel_writes_them_are_read(text: str, expected: datetime) -> None:
    assert parse_time(text, "started_at") == expected


@pytest.mark.parametrize(
    "text", ["2026/13/01", "2026/11/31 10:00", "11/01/2026", "2026/11/1 25:00"]
)
def test_impossible_excel_times_are_rejected_with_their_column(text: str) -> None:
    with pytest.raises(Rejected, match="unparseable time in started_at"):
        parse_time(text, "started_at")
