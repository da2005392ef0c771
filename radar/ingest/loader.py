"""`radar ingest`: validate and upsert a folder of tables in one transaction.

Every row read is either loaded or quarantined with a reason (`read == loaded +
quarantined`). A table that cannot be read at all (wrong encoding, missing column) is
refused before anything is written and the other tables load without it; any failure
while loading rolls the whole run back.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, select

from radar.errors import NoInputError, TableError
from radar.ingest.quarantine import QuarantineWriter
from radar.ingest.rows import Rejected, RowContext, clean_row
from radar.ingest.sources import TableSource, check_source, find_sources, iter_rows
from radar.ingest.upsert import upsert_rows
from radar.schema import PRODUCTS, STREAMERS, TABLES
from radar.store.models import Base, IngestRun, Product, Streamer

BATCH_ROWS = 1000

TableProgress = Callable[[str, int, int], None]
"""Called with (table, bytes read, bytes in the file)."""

_seen_metadata = MetaData()
_seen_ids = Table(
    "ingest_seen_ids",
    _seen_metadata,
    Column("id", String(64), primary_key=True),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass
class TableCounts:
    """What happened to one table's rows."""

    file: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def as_contract(self) -> dict[str, int]:
        return {"read": self.read, "loaded": self.loaded, "quarantined": self.quarantined}


@dataclass
class IngestReport:
    """The outcome of one ingest run."""

    run_id: str
    tables: dict[str, TableCounts]
    quarantine_files: list[Path]
    refused: dict[str, str] = field(default_factory=dict)
    """Tables that could not be read at all, with the reason and what to do."""


def ingest_directory(
    directory: Path,
    engine: Engine,
    *,
    quarantine_root: Path,
    max_text_chars: dict[str, int],
    progress: TableProgress | None = None,
) -> IngestReport:
    """Load every contract table found in `directory` into the store behind `engine`.

    Raises:
        NoInputError: the folder holds no table of the contract.
        TableError: the folder holds two files for one table.
    """
    found = find_sources(directory, TABLES)
    if not found:
        names = ", ".join(spec.name for spec in TABLES)
        raise NoInputError(f"{directory} holds none of the tables {names} (.csv, .jsonl, .parquet)")
    sources, refused = [], {}
    for source in found:
        try:
            check_source(source)
        except TableError as error:
            refused[source.spec.name] = str(error)
        else:
            sources.append(source)
    started = datetime.now()
    run_id = f"{started:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    quarantine = QuarantineWriter(quarantine_root / run_id)
    tables: dict[str, TableCounts] = {}
    try:
        with engine.begin() as connection:
            context = RowContext(
                max_text_chars=max_text_chars,
                streamers=set(connection.scalars(select(Streamer.streamer_id))),
                products=set(connection.scalars(select(Product.product_id))),
            )
            _seen_ids.drop(connection, checkfirst=True)
            _seen_ids.create(connection)
            for source in sources:
                tables[source.spec.name] = _load_table(
                    connection, source, context, quarantine, progress
                )
            _seen_ids.drop(connection)
            counts: dict[str, dict[str, Any]] = {
                name: dict(table.as_contract()) for name, table in tables.items()
            }
            counts.update({name: {"error": reason} for name, reason in refused.items()})
            connection.execute(
                Base.metadata.tables[IngestRun.__tablename__]
                .insert()
                .values(
                    run_id=run_id,
                    source=str(directory.resolve()),
                    started_at=started,
                    finished_at=datetime.now(),
                    counts=json.dumps(counts),
                )
            )
    except BaseException:
        quarantine.discard()
        raise
    return IngestReport(run_id, tables, quarantine.commit(), refused)


def _load_table(
    connection: Connection,
    source: TableSource,
    context: RowContext,
    quarantine: QuarantineWriter,
    progress: TableProgress | None,
) -> TableCounts:
    spec = source.spec
    counts = TableCounts(file=source.path.name)
    total = source.size

    def reject(line: int, reason: str, values: dict[str, Any]) -> None:
        counts.quarantined += 1
        counts.reasons[reason.split(":")[0]] += 1
        quarantine.add(spec.name, source.path.name, line, reason, values)

    def report(done: int) -> None:
        if progress is not None:
            progress(spec.name, done, total)

    connection.execute(_seen_ids.delete())
    batch: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for raw in iter_rows(source, report):
        counts.read += 1
        if raw.error is not None:
            reject(raw.line, raw.error, raw.values)
            continue
        try:
            batch.append((raw.line, raw.values, clean_row(spec, raw.values, context)))
        except Rejected as rejection:
            reject(raw.line, str(rejection), raw.values)
        if len(batch) >= BATCH_ROWS:
            counts.loaded += _flush(connection, source, batch, context, reject)
            batch = []
    counts.loaded += _flush(connection, source, batch, context, reject)
    report(total)
    return counts


def _flush(
    connection: Connection,
    source: TableSource,
    batch: list[tuple[int, dict[str, Any], dict[str, Any]]],
    context: RowContext,
    reject: Callable[[int, str, dict[str, Any]], None],
) -> int:
    """Quarantine ids seen earlier in the file, upsert the rest; returns rows loaded."""
    if not batch:
        return 0
    id_column = source.spec.id_column
    ids = {record[id_column] for _, _, record in batch}
    first_line: dict[str, int] = dict(
        connection.execute(
            select(_seen_ids.c.id, _seen_ids.c.line).where(_seen_ids.c.id.in_(ids))
        ).all()
    )
    earlier = set(first_line)
    accepted = []
    for line, values, record in batch:
        row_id = record[id_column]
        if row_id in first_line:
            reject(
                line,
                f"duplicate id {row_id!r} in the file (first at line {first_line[row_id]})",
                values,
            )
            continue
        first_line[row_id] = line
        accepted.append(record)
    new_ids = [{"id": key, "line": line} for key, line in first_line.items() if key not in earlier]
    connection.execute(_seen_ids.insert(), new_ids)
    upsert_rows(connection, Base.metadata.tables[source.spec.name], accepted)
    if source.spec is STREAMERS:
        context.streamers.update(record[id_column] for record in accepted)
    elif source.spec is PRODUCTS:
        context.products.update(record[id_column] for record in accepted)
    return len(accepted)
