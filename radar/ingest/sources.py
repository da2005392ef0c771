"""Finding and reading input tables: CSV, JSONL, Parquet or Excel (`.xlsx`: the first
sheet, its header row first), streamed row by row.

Text files are read as UTF-8 (a BOM allowed) with undecodable bytes kept as surrogate
escapes, so a row with a few bad bytes can be quarantined instead of failing the file;
a file that is mostly not UTF-8 (GBK, Big5…) is refused before anything is loaded, and
so is a file that resolves outside the folder (a symlink) or has a column name twice.
A row the parser cannot read (an unterminated quote, JSON nested too deeply, a duplicate
key) is yielded with its error, to be quarantined; reading goes on with the next row.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.errors import TableError
from radar.schema import TableSpec

FORMATS = (".csv", ".jsonl", ".parquet", ".xlsx")
BINARY_FORMATS = (".parquet", ".xlsx")
ENCODING_SAMPLE_BYTES = 1 << 20
MAX_BAD_BYTE_SHARE = 0.2
PARQUET_BATCH_ROWS = 8192
PROGRESS_EVERY_ROWS = 2048
MAX_JSON_DEPTH = 64
MAX_JSON_HEADER_LINES = 1000

Progress = Callable[[int], None]
"""Called now and then with the number of bytes of the file read so far."""


@dataclass(frozen=True)
class RawRow:
    """One data row as read: its line (or row number), and its values or a parse error."""

    line: int
    values: dict[str, Any]
    error: str | None = None


@dataclass(frozen=True)
class TableSource:
    """One table file found in the input folder."""

    spec: TableSpec
    path: Path
    folder: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def find_sources(directory: Path, specs: tuple[TableSpec, ...]) -> list[TableSource]:
    """The table files in `directory`, in load order; two formats of one table is an error."""
    sources = []
    for spec in specs:
        found = [directory / f"{spec.name}{ext}" for ext in FORMATS]
        found = [path for path in found if path.is_file()]
        if len(found) > 1:
            names = ", ".join(path.name for path in found)
            raise TableError(spec.name, f"found {names}: keep one file per table")
        if found:
            sources.append(TableSource(spec, found[0], directory))
    return sources


def check_source(source: TableSource) -> None:
    """Refuse a file that cannot be read at all: outside the folder, wrong encoding, a
    column named twice or a missing column.

    Raises:
        TableError: naming the table and what to fix.
    """
    _check_inside_folder(source)
    if source.path.suffix not in BINARY_FORMATS:
        _check_utf8(source)
    columns = read_columns(source)
    twice = [name for name, count in Counter(columns).items() if count > 1 and name]
    if twice:
        raise TableError(
            source.spec.name,
            f"{source.path.name} has the column {twice[0]!r} twice: rename or remove one "
            "(otherwise one of them would silently win)",
        )
    missing = [column for column in source.spec.required if column not in columns]
    if missing:
        raise TableError(
            source.spec.name,
            f"{source.path.name} has no column {', '.join(missing)} "
            f"(required: {', '.join(source.spec.required)}; "
            f"found: {', '.join(columns)[:200] or 'none'})",
        )


def read_columns(source: TableSource) -> list[str]:
    """The column names: the CSV header, the first JSONL object's keys, the Parquet schema,
    the first row of a workbook's first sheet."""
    path = source.path
    if path.suffix == ".parquet":
        return list(_parquet_file(source).schema_arrow.names)
    if path.suffix == ".xlsx":
        with _first_sheet(source) as sheet:
            header = next(sheet.iter_rows(max_row=1, values_only=True), ())
        return [_header_name(value) for value in header]
    with _open_text(path) as handle:
        if path.suffix == ".csv":
            return _csv_header(source, csv.reader(handle, strict=True))
        tried, decoder = 0, _json_decoder()
        for line in handle:
            if line.strip():
                tried += 1
                first, error = _parse_json_object(line, decoder)
                if error is None:
                    return list(first)
                if tried == MAX_JSON_HEADER_LINES:
                    raise TableError(
                        source.spec.name,
                        f"{path.name}: none of the first {tried} lines is a JSON object "
                        f"(the last: {error}); is it JSON Lines?",
                    )
    return []


def _csv_header(source: TableSource, reader: Iterator[list[str]]) -> list[str]:
    try:
        return [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise TableError(
            source.spec.name, f"{source.path.name}: the header line is not valid CSV ({exc})"
        ) from None


def _check_inside_folder(source: TableSource) -> None:
    if not source.path.resolve().is_relative_to(source.folder.resolve()):
        raise TableError(
            source.spec.name,
            f"{source.path.name} is a link to a file outside {source.folder}: "
            "ingest reads only files inside the folder (copy the file in instead)",
        )


def iter_rows(source: TableSource, progress: Progress | None = None) -> Iterator[RawRow]:
    """Stream the data rows of a checked source, in constant memory."""
    report = progress or (lambda _bytes: None)
    suffix = source.path.suffix
    if suffix == ".csv":
        return _iter_csv(source, report)
    if suffix == ".jsonl":
        return _iter_jsonl(source.path, report)
    if suffix == ".xlsx":
        return _iter_xlsx(source, report)
    return _iter_parquet(source, report)


def _open_text(path: Path):  # type: ignore[no-untyped-def]
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def _check_utf8(source: TableSource) -> None:
    with source.path.open("rb") as handle:
        sample = handle.read(ENCODING_SAMPLE_BYTES)
    decoded = sample.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for char in decoded if "\udc80" <= char <= "\udcff")
    non_ascii = sum(1 for byte in sample if byte >= 0x80)
    if bad and bad > MAX_BAD_BYTE_SHARE * non_ascii:
        guess = _guess_encoding(sample)
        raise TableError(
            source.spec.name,
            f"{source.path.name} is not UTF-8 (it looks like {guess}). Save it as UTF-8 "
            f"(Excel: 另存为 → CSV UTF-8; or `iconv -f {guess} -t UTF-8`) and ingest again.",
        )


def _guess_encoding(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding.upper() if best is not None else "an unknown encoding"


def _iter_csv(source: TableSource, report: Progress) -> Iterator[RawRow]:
    csv.field_size_limit(sys.maxsize)  # over-long text is quarantined by length, not by csv
    with _open_text(source.path) as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, strict=True)
        header = _csv_header(source, reader)
        while True:
            lines.start_record()
            error = None
            try:
                fields = next(reader, None)
            except csv.Error as exc:
                fields, error = [], str(exc)
            if fields is None:
                return
            if lines.number % PROGRESS_EVERY_ROWS < len(lines.record):
                report(handle.buffer.tell())
            start = lines.number - len(lines.record) + 1
            if len(lines.record) > 1 and (error is not None or len(fields) != len(header)):
                yield _unterminated_quote(lines, start, at_end=error is not None and lines.at_end)
            elif error is not None:
                yield RawRow(
                    start, {"raw": lines.record[0].rstrip("\r\n")}, f"not valid CSV: {error}"
                )
            elif not fields:
                continue  # a blank line
            elif len(fields) != len(header):
                error = f"wrong number of fields: expected {len(header)}, got {len(fields)}"
                yield RawRow(start, {"fields": fields}, error)
            else:
                yield RawRow(start, dict(zip(header, fields, strict=True)))


def _unterminated_quote(lines: _Lines, start: int, *, at_end: bool) -> RawRow:
    """The first line of a record whose quote swallowed the lines after it, as a bad row;
    those lines are read again as records of their own."""
    end = "the end of the file" if at_end else f"line {lines.number}"
    first = lines.record[0]
    lines.replay(lines.record[1:])
    reason = (
        f"unterminated quote: the quoted field opened on line {start} runs to {end}; "
        "this line is quarantined and the lines after it are read as rows again"
    )
    return RawRow(start, {"raw": first.rstrip("\r\n")}, reason)


class _Lines:
    """A text file's physical lines for the csv reader: counted, with the lines of the
    record being read kept, so that they can be read again."""

    def __init__(self, handle: Iterable[str]) -> None:
        self._source = iter(handle)
        self._replayed: list[str] = []
        self.number = 0
        self.record: list[str] = []
        self.at_end = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._replayed:
            line = self._replayed.pop()
        else:
            try:
                line = next(self._source)
            except StopIteration:
                self.at_end = True
                raise
        self.number += 1
        self.record.append(line)
        return line

    def start_record(self) -> None:
        self.record = []

    def replay(self, lines: list[str]) -> None:
        self._replayed.extend(reversed(lines))
        self.number -= len(lines)
        self.at_end = False


def _iter_jsonl(path: Path, report: Progress) -> Iterator[RawRow]:
    decoder = _json_decoder()
    with _open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if line_number % PROGRESS_EVERY_ROWS == 0:
                report(handle.buffer.tell())
            if not line.strip():
                continue
            values, error = _parse_json_object(line, decoder)
            if error is not None:
                yield RawRow(line_number, {"raw": line.rstrip("\r\n")}, error)
                continue
            yield RawRow(line_number, values)


class _DuplicateKey(ValueError):
    pass


def _json_decoder() -> json.JSONDecoder:
    """A decoder that refuses duplicate keys (one per file: building one is slow)."""
    return json.JSONDecoder(object_pairs_hook=_unique_keys)


def _parse_json_object(line: str, decoder: json.JSONDecoder) -> tuple[dict[str, Any], str | None]:
    """One JSONL line as an object, or the reason it is not one."""
    try:
        value = decoder.decode(line)
    except _DuplicateKey as exc:
        return {}, f"duplicate key {exc.args[0][:40]!r} in the JSON object"
    except RecursionError:
        return {}, "not valid JSON: nested too deeply for the parser"
    except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
        return {}, f"not valid JSON: {exc}"
    if not isinstance(value, dict):
        return {}, "not a JSON object"
    if _depth(value) > MAX_JSON_DEPTH:
        return {}, f"nested too deeply: more than {MAX_JSON_DEPTH} levels"
    return value, None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return value


def _depth(value: dict[str, Any]) -> int:
    """How deeply lists and objects nest in a parsed JSON object (iteratively)."""
    if not any(isinstance(item, dict | list) for item in value.values()):
        return 1
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return deepest


def _parquet_file(source: TableSource) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(source.path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise TableError(
            source.spec.name, f"{source.path.name} is not a Parquet file ({exc})"
        ) from None


def _iter_parquet(source: TableSource, report: Progress) -> Iterator[RawRow]:
    parquet = _parquet_file(source)
    total_rows = max(1, parquet.metadata.num_rows)
    row_number = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for values, error in _batch_rows(batch):
            row_number += 1
            yield RawRow(row_number, values, error)
        report(source.size * row_number // total_rows)


def _batch_rows(batch: Any) -> Iterator[tuple[dict[str, Any], str | None]]:
    """A batch's rows as Python values; where one has no Python form (a timestamp past
    the year 9999), that batch is converted value by value and the row gets an error."""
    import pyarrow as pa

    try:
        rows = batch.to_pylist()
    except (OverflowError, ValueError, pa.ArrowException):
        for index in range(batch.num_rows):
            yield _row_by_value(batch, index)
    else:
        for values in rows:
            yield values, None


def _row_by_value(batch: Any, index: int) -> tuple[dict[str, Any], str | None]:
    import pyarrow as pa

    values: dict[str, Any] = {}
    error = None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        scalar = column[index]
        try:
            values[name] = scalar.as_py()
        except (OverflowError, ValueError, pa.ArrowException) as exc:
            values[name] = _as_string(scalar)
            error = error or f"unreadable value in {name}: {exc}"
    return values, error


def _as_string(scalar: Any) -> str | None:
    """A Parquet value as text, for the quarantine, where Arrow can cast it."""
    import pyarrow as pa

    try:
        text: str | None = scalar.cast(pa.string()).as_py()
    except (ValueError, NotImplementedError, pa.ArrowException):
        return None
    return text


@contextmanager
def _first_sheet(source: TableSource) -> Iterator[Any]:
    """The first sheet of a workbook, read-only and with cached values (formulas' results)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(source.path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise TableError(
            source.spec.name,
            f"{source.path.name} is not an Excel workbook ({exc.__class__.__name__}): "
            "save it from Excel as .xlsx, or export it as CSV",
        ) from None
    try:
        yield book.worksheets[0]
    finally:
        book.close()


def _header_name(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _iter_xlsx(source: TableSource, report: Progress) -> Iterator[RawRow]:
    """The data rows of the first sheet, as Python values (times as Excel's date cells or
    as text); rows with no value at all are skipped (Excel keeps formatted empty rows)."""
    with _first_sheet(source) as sheet:
        rows = sheet.iter_rows(values_only=True)
        columns = [_header_name(value) for value in next(rows, ())]
        total = max(1, (sheet.max_row or 1) - 1)
        for number, values in enumerate(rows, start=2):
            if all(value is None or value == "" for value in values):
                continue
            yield RawRow(number, dict(zip(columns, values, strict=False)))
            if number % PROGRESS_EVERY_ROWS == 0:
                report(source.size * min(number, total) // total)
    report(source.size)
