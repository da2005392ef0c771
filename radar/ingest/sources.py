"""Finding and reading input tables: CSV, JSONL or Parquet, streamed row by row.

Text files are read as UTF-8 (a BOM allowed) with undecodable bytes kept as surrogate
escapes, so a row with a few bad bytes can be quarantined instead of failing the file;
a file that is mostly not UTF-8 (GBK, Big5…) is refused before anything is loaded.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.errors import TableError
from radar.schema import TableSpec

FORMATS = (".csv", ".jsonl", ".parquet")
ENCODING_SAMPLE_BYTES = 1 << 20
MAX_BAD_BYTE_SHARE = 0.2
PARQUET_BATCH_ROWS = 8192
PROGRESS_EVERY_ROWS = 2048

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
            sources.append(TableSource(spec, found[0]))
    return sources


def check_source(source: TableSource) -> None:
    """Refuse a file that cannot be read at all: wrong encoding or a missing column.

    Raises:
        TableError: naming the table and what to fix.
    """
    if source.path.suffix != ".parquet":
        _check_utf8(source)
    columns = read_columns(source)
    missing = [column for column in source.spec.required if column not in columns]
    if missing:
        raise TableError(
            source.spec.name,
            f"{source.path.name} has no column {', '.join(missing)} "
            f"(required: {', '.join(source.spec.required)}; found: {', '.join(columns) or 'none'})",
        )


def read_columns(source: TableSource) -> list[str]:
    """The column names: the CSV header, the first JSONL object's keys, the Parquet schema."""
    path = source.path
    if path.suffix == ".parquet":
        return list(_parquet_file(source).schema_arrow.names)
    with _open_text(path) as handle:
        if path.suffix == ".csv":
            header = next(csv.reader(handle), [])
            return [name.strip() for name in header]
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TableError(
                        source.spec.name, f"{path.name}: first line is not JSON ({exc})"
                    ) from None
                return list(first) if isinstance(first, dict) else []
    return []


def iter_rows(source: TableSource, progress: Progress | None = None) -> Iterator[RawRow]:
    """Stream the data rows of a checked source, in constant memory."""
    report = progress or (lambda _bytes: None)
    suffix = source.path.suffix
    if suffix == ".csv":
        return _iter_csv(source.path, report)
    if suffix == ".jsonl":
        return _iter_jsonl(source.path, report)
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


def _iter_csv(path: Path, report: Progress) -> Iterator[RawRow]:
    csv.field_size_limit(sys.maxsize)  # over-long text is quarantined by length, not by csv
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        for fields in reader:
            if not fields:
                continue
            line = reader.line_num
            if line % PROGRESS_EVERY_ROWS == 0:
                report(handle.buffer.tell())
            if len(fields) != len(header):
                error = f"wrong number of fields: expected {len(header)}, got {len(fields)}"
                yield RawRow(line, {"fields": fields}, error)
                continue
            yield RawRow(line, dict(zip(header, fields, strict=True)))


def _iter_jsonl(path: Path, report: Progress) -> Iterator[RawRow]:
    with _open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if line_number % PROGRESS_EVERY_ROWS == 0:
                report(handle.buffer.tell())
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRow(line_number, {"raw": line.rstrip("\r\n")}, f"not valid JSON: {exc}")
                continue
            if not isinstance(values, dict):
                yield RawRow(line_number, {"raw": line.rstrip("\r\n")}, "not a JSON object")
                continue
            yield RawRow(line_number, values)


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
        for values in batch.to_pylist():
            row_number += 1
            yield RawRow(row_number, values)
        report(source.size * row_number // total_rows)
