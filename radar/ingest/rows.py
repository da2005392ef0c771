"""Row validation: a raw input row becomes a clean store record, or a reason to quarantine it."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from radar.schema import COMMENT_KINDS, COMMENTS, PLACEMENTS, PRODUCTS, TableSpec

BEIJING = timezone(timedelta(hours=8))
_FLOAT_COLUMNS = ("price", "margin", "gmv")
_INT_COLUMNS = ("stock", "orders")
_LONG_TEXT_COLUMNS = ("text", "title", "description", "attributes")


class Rejected(Exception):
    """A row that cannot be loaded; the message is its quarantine reason."""


@dataclass
class RowContext:
    """What validation needs beyond the row: known ids and text limits."""

    max_text_chars: dict[str, int]
    streamers: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)


def clean_row(spec: TableSpec, values: dict[str, Any], context: RowContext) -> dict[str, Any]:
    """The store record for one raw row of `spec`'s table.

    Raises:
        Rejected: with the quarantine reason (missing text, bad time, unknown reference…).
    """
    record: dict[str, Any] = {column: _text(values.get(column), column) for column in spec.columns}
    for column in spec.required:
        if record[column] is None:
            kind = "empty text" if column in spec.text_columns else "missing value"
            raise Rejected(f"{kind} in {column}")
    limit = context.max_text_chars.get(spec.name)
    for column in _LONG_TEXT_COLUMNS:
        text = record.get(column)
        if limit is not None and text is not None and len(text) > limit:
            raise Rejected(f"text too long in {column}: {len(text)} > {limit} characters")
    for column in spec.time_columns:
        record[column] = parse_time(values.get(column), column)
    for column in _FLOAT_COLUMNS:
        if column in record:
            record[column] = _number(record[column], column, float)
    for column in _INT_COLUMNS:
        if column in record:
            record[column] = _number(record[column], column, int)
    _check_references(spec, record, context)
    if spec is COMMENTS:
        _clean_comment(record)
    elif spec is PLACEMENTS:
        _clean_placement(record)
    elif spec is PRODUCTS:
        _clean_product(record)
    return record


def parse_time(value: Any, column: str) -> datetime:
    """An ISO 8601 time as naive Beijing time; aware times are converted to UTC+8."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value, column)
        if text is None:
            raise Rejected(f"missing value in {column}")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Rejected(f"unparseable time in {column}: {text[:40]!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING).replace(tzinfo=None)
    return moment


def derived_id(prefix: str, *parts: Any) -> str:
    """A stable id from a row's identifying values, for tables whose id column is optional."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=10).hexdigest()
    return f"{prefix}{digest}"


def _text(value: Any, column: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = value if isinstance(value, str) else str(value)
    if any("\udc80" <= char <= "\udcff" for char in text):
        raise Rejected(f"undecodable bytes in {column} (the file is not clean UTF-8)")
    text = text.strip()
    return text or None


def _number(value: Any, column: str, kind: type) -> Any:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Rejected(f"not a number in {column}: {str(value)[:40]!r}") from None
    if not math.isfinite(number) or number < 0:
        raise Rejected(f"{column} must be a finite number ≥ 0, got {value!r}")
    if kind is int:
        if number != int(number):
            raise Rejected(f"{column} must be a whole number, got {value!r}")
        return int(number)
    return number


def _check_references(spec: TableSpec, record: dict[str, Any], context: RowContext) -> None:
    if "streamer_id" in spec.references and record["streamer_id"] not in context.streamers:
        raise Rejected(f"unknown streamer {record['streamer_id']!r} (not in streamers)")
    if "product_id" in spec.references and record["product_id"] not in context.products:
        raise Rejected(f"unknown product {record['product_id']!r} (not in products)")


def _clean_comment(record: dict[str, Any]) -> None:
    kind = (record.get("kind") or "comment").lower()
    if kind not in COMMENT_KINDS:
        raise Rejected(f"kind must be one of {', '.join(COMMENT_KINDS)}, got {kind!r}")
    record["kind"] = kind
    if record["comment_id"] is None:
        record["comment_id"] = derived_id(
            "c_",
            record["streamer_id"],
            record["session_id"],
            record["user_id"],
            record["created_at"].isoformat(),
            record["text"],
        )


def _clean_placement(record: dict[str, Any]) -> None:
    converted = record.get("converted")
    if converted is not None:
        flag = {"0": 0, "1": 1, "false": 0, "true": 1, "0.0": 0, "1.0": 1}.get(converted.lower())
        if flag is None:
            raise Rejected(f"converted must be 0 or 1, got {converted!r}")
        record["converted"] = flag
    if record["placement_id"] is None:
        record["placement_id"] = derived_id(
            "pl_", record["streamer_id"], record["product_id"], record["started_at"].isoformat()
        )


def _clean_product(record: dict[str, Any]) -> None:
    if record.get("margin") is not None and record["margin"] > 1:
        raise Rejected(f"margin is a share of the price (0–1), got {record['margin']}")
