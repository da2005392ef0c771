from datetime import datetime

import pytest

from radar.ingest.rows import Rejected, RowContext, clean_row, parse_time
from radar.schema import COMMENTS, PLACEMENTS, PRODUCTS, TRANSCRIPTS


@pytest.fixture
def context() -> RowContext:
    return RowContext(
        max_text_chars={"comments": 20, "transcripts": 100, "products": 50},
        streamers={"h1"},
        products={"p1"},
    )


def comment(**values: str) -> dict[str, str]:
    row = {"streamer_id": "h1", "created_at": "2026-08-03T20:00:00+08:00", "text": "多少钱"}
    row.update(values)
    return row


def test_a_good_comment_gets_a_stable_derived_id(context: RowContext) -> None:
    first = clean_row(COMMENTS, comment(), context)
    again = clean_row(COMMENTS, comment(), context)
    assert first["comment_id"] == again["comment_id"]
    assert first["comment_id"].startswith("c_")
    assert first["kind"] == "comment"
    assert first["created_at"] == datetime(2026, 8, 3, 20, 0)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"text": ""}, "empty text in text"),
        ({"text": "   "}, "empty text in text"),
        ({"created_at": "yesterday"}, "unparseable time in created_at"),
        ({"created_at": ""}, "missing value in created_at"),
        ({"streamer_id": "h404"}, "unknown streamer 'h404'"),
        ({"text": "长" * 21}, "text too long in text: 21 > 20"),
        ({"text": "坏\udcb0\udce3"}, "undecodable bytes in text"),
        ({"kind": "gift"}, "kind must be one of comment, danmaku"),
    ],
)
def test_bad_comments_are_rejected_with_a_reason(
    context: RowContext, values: dict[str, str], reason: str
) -> None:
    with pytest.raises(Rejected, match=reason):
        clean_row(COMMENTS, comment(**values), context)


def test_placements_check_both_references_and_the_outcome(context: RowContext) -> None:
    row = {"streamer_id": "h1", "product_id": "p1", "started_at": "2026-08-03 20:00", "orders": "3"}
    record = clean_row(PLACEMENTS, {**row, "converted": "1"}, context)
    assert record["orders"] == 3
    assert record["converted"] == 1
    assert record["placement_id"].startswith("pl_")
    with pytest.raises(Rejected, match="unknown product 'p2'"):
        clean_row(PLACEMENTS, {**row, "product_id": "p2"}, context)
    with pytest.raises(Rejected, match="converted must be 0 or 1"):
        clean_row(PLACEMENTS, {**row, "converted": "2"}, context)
    with pytest.raises(Rejected, match="orders must be a whole number"):
        clean_row(PLACEMENTS, {**row, "orders": "2.5"}, context)


def test_products_parse_numbers(context: RowContext) -> None:
    row = {"product_id": "p9", "title": "口红", "price": "99.9", "stock": "0", "margin": "0.3"}
    record = clean_row(PRODUCTS, row, context)
    assert (record["price"], record["stock"], record["margin"]) == (99.9, 0, 0.3)
    with pytest.raises(Rejected, match="not a number in price"):
        clean_row(PRODUCTS, {**row, "price": "九十九"}, context)
    with pytest.raises(Rejected, match="price must be a finite number"):
        clean_row(PRODUCTS, {**row, "price": "-1"}, context)


def test_transcript_needs_every_required_value(context: RowContext) -> None:
    row = {"streamer_id": "h1", "session_id": "", "started_at": "2026-08-03", "text": "你好"}
    with pytest.raises(Rejected, match="missing value in session_id"):
        clean_row(TRANSCRIPTS, row, context)


def test_times_become_naive_beijing_time() -> None:
    assert parse_time("2026-08-03T12:00:00Z", "t") == datetime(2026, 8, 3, 20, 0)
    assert parse_time("2026-08-03T20:00:00+08:00", "t") == datetime(2026, 8, 3, 20, 0)
    assert parse_time("2026-08-03 20:00", "t") == datetime(2026, 8, 3, 20, 0)
