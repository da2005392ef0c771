"""Row validation: a raw input row becomes a clean store record, or a reason to quarantine it.

Every check the database would make runs here first, so a bad row is quarantined on any
store (SQLite stores what PostgreSQL refuses): types, lengths and integer ranges read from
the store's own table definitions, NUL characters, and invisible or control characters in
ids (a zero-width space or a right-to-left mark would make a lookalike of a real id).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, String

from radar.schema import COMMENT_KINDS, COMMENTS, PLACEMENTS, PRODUCTS, TableSpec
from radar.store.models import Base

BEIJING = timezone(timedelta(hours=8))
_FLOAT_COLUMNS = ("price", "margin", "gmv")
_INT_COLUMNS = ("stock", "orders")
_FLAG_COLUMNS = ("converted",)
_LONG_TEXT_COLUMNS = ("text", "title", "description", "attributes")
_JSON_COLUMNS = ("attributes",)  # nested values are kept here as JSON text
_INT32 = (-(2**31), 2**31 - 1)
_INVISIBLE = frozenset({"Cf", "Zs", "Zl", "Zp", "Co", "Cn"})
"""Unicode categories an id may not hold: format characters (zero-width, direction marks,
BOM), spaces other than U+0020, line/paragraph separators, private-use and unassigned."""


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
    for column in spec.identifier_columns:
        if record[column] is not None:
            _check_identifier(record[column], column)
    for column, length in store_lengths(spec.name).items():
        text = record.get(column)
        if text is not None and len(text) > length:
            raise Rejected(f"too long in {column}: {len(text)} > {length} characters")
    limit = context.max_text_chars.get(spec.name)
    for column in _LONG_TEXT_COLUMNS:
        text = record.get(column)
        if limit is not None and text is not None and len(text) > limit:
            raise Rejected(f"text too long in {column}: {len(text)} > {limit} characters")
    for column in spec.time_columns:
        record[column] = parse_time(values.get(column), column)
    for column in spec.optional_time_columns:
        if record.get(column) is not None or isinstance(values.get(column), datetime):
            record[column] = parse_time(values.get(column), column)
    for column in _FLOAT_COLUMNS:
        if column in record:
            record[column] = _number(record[column], column, float, spec.name)
    for column in _INT_COLUMNS:
        if column in record:
            record[column] = _number(record[column], column, int, spec.name)
    _check_references(spec, record, context)
    if spec is COMMENTS:
        _clean_comment(record)
    elif spec is PLACEMENTS:
        _clean_placement(record)
    elif spec is PRODUCTS:
        _clean_product(record)
    return record


_EXCEL_TIME = re.compile(
    r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})"
    r"(?: (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)
"""The forms Excel writes a time in: `2026/11/01 10:00`, `2026/11/1`, `2026/11/1 9:05:03`."""


def parse_time(value: Any, column: str) -> datetime:
    """An ISO 8601 time, or one as Excel writes it (`2026/11/01 10:00`, `2026/11/1`), as
    naive Beijing time; aware times are converted to UTC+8."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value, column)
        if text is None:
            raise Rejected(f"missing value in {column}")
        try:
            moment = _excel_time(text) or datetime.fromisoformat(text)
        except ValueError:
            raise Rejected(f"unparseable time in {column}: {text[:40]!r}") from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(BEIJING).replace(tzinfo=None)
        except OverflowError:
            raise Rejected(
                f"time out of range in {column}: {moment.isoformat()} falls outside "
                "the years 1–9999 in Beijing time"
            ) from None
    return moment


@cache
def store_lengths(table: str) -> dict[str, int]:
    """The maximum length of each length-limited text column of a store table."""
    return {
        column.name: column.type.length
        for column in Base.metadata.tables[table].columns
        if isinstance(column.type, String) and column.type.length is not None
    }


@cache
def _int32_columns(table: str) -> frozenset[str]:
    columns = Base.metadata.tables[table].columns
    return frozenset(
        column.name
        for column in columns
        if isinstance(column.type, Integer) and not isinstance(column.type, BigInteger)
    )


def derived_id(prefix: str, *parts: Any) -> str:
    """A stable id from a row's identifying values, for tables whose id column is optional."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=10).hexdigest()
    return f"{prefix}{digest}"


def _excel_time(text: str) -> datetime | None:
    """The time of a text in one of Excel's forms (None for any other form).

    Raises:
        ValueError: Excel's form, but no such day or hour (2026/11/31).
    """
    match = _EXCEL_TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups(default="0"))
    return datetime(year, month, day, hour, minute, second)


def _text(value: Any, column: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = _as_text(value, column)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        if any("\udc80" <= char <= "\udcff" for char in text):
            raise Rejected(f"undecodable bytes in {column} (the file is not clean UTF-8)") from None
        raise Rejected(f"invalid Unicode in {column}: a lone surrogate") from None
    if "\x00" in text:
        raise Rejected(f"NUL character in {column}: at position {text.index(chr(0))}")
    text = text.strip()
    return text or None


def _as_text(value: Any, column: str) -> str:
    """A value read from CSV, JSON or Parquet as text; never a Python repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        if column in _FLAG_COLUMNS:
            return str(int(value))
        raise _wrong_type(column, "a boolean")
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _wrong_type(column, "bytes that are not UTF-8") from None
    if isinstance(value, dict | list | tuple):
        if column in _JSON_COLUMNS:
            return _json_text(value, column)
        raise _wrong_type(column, "a JSON object" if isinstance(value, dict) else "a list")
    raise _wrong_type(column, f"a {type(value).__name__}")


def _json_text(value: Any, column: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise _wrong_type(column, "a value with no JSON form") from None


def _wrong_type(column: str, kind: str) -> Rejected:
    wanted = "a number" if column in _FLOAT_COLUMNS + _INT_COLUMNS else "text"
    return Rejected(f"not {wanted} in {column}: {kind}")


def _check_identifier(text: str, column: str) -> None:
    if text.isascii() and text.isprintable():
        return
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            raise Rejected(f"control character in {column}: {_describe(char)}")
        if category in _INVISIBLE and char != " ":
            raise Rejected(f"invisible character in {column}: {_describe(char)}")
    if not unicodedata.is_normalized("NFC", text):
        raise Rejected(
            f"id not in Unicode NFC form in {column}: {text!r} (combining marks make "
            "a lookalike of another id; save the file with composed characters)"
        )


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def _number(value: Any, column: str, kind: type, table: str) -> Any:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Rejected(f"not a number in {column}: {str(value)[:40]!r}") from None
    if not math.isfinite(number) or number < 0:
        raise Rejected(f"{column} must be a finite number ≥ 0, got {str(value)[:40]!r}")
    if kind is int:
        if number != int(number):
            raise Rejected(f"{column} must be a whole number, got {value!r}")
        if column in _int32_columns(table) and not _INT32[0] <= number <= _INT32[1]:
            raise Rejected(f"{column} is out of range: {value} > {_INT32[1]}")
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
