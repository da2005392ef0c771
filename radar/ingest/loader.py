"""`radar ingest`: validate a folder of tables, then upsert it in one short transaction.

Every row read is either loaded or quarantined with a reason (`read == loaded +
quarantined`). A table that cannot be read at all (wrong encoding, missing column) is
refused before anything is written and the other tables load without it.

Rows are validated into staging tables (temporary tables of this connection, on disk:
memory stays flat however big the file) while the store stays free for other commands;
then one transaction copies them into the store and records the run. So the run is
all-or-nothing, and other writers wait for that publishing only, never for the reading.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, select

from radar.errors import NoInputError, TableError
from radar.ingest.quarantine import QuarantineWriter
from radar.ingest.rows import Rejected, RowContext, clean_row
from radar.ingest.sources import FORMATS, TableSource, check_source, find_sources, iter_rows
from radar.ingest.upsert import upsert_from
from radar.schema import PRODUCTS, STREAMERS, TABLES
from radar.store.database import lock_for_writing
from radar.store.models import Base, IngestRun, Product, Streamer

BATCH_ROWS = 1000
LINE = "ingest_line"
"""The staging tables' extra column: the row's line in its file (named in duplicates)."""

TableProgress = Callable[[str, int, int], None]
"""Called with (table, bytes read, bytes in the file)."""


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
        formats = ", ".join(FORMATS)
        raise NoInputError(f"{directory} holds none of the tables {names} ({formats})")
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
    loading = [source.spec.name for source in sources]
    try:
        with engine.connect() as connection, _staging_tables(connection, loading) as staging:
            context = RowContext(
                max_text_chars=max_text_chars,
                streamers=set(connection.scalars(select(Streamer.streamer_id))),
                products=set(connection.scalars(select(Product.product_id))),
            )
            for source in sources:
                tables[source.spec.name] = _load_table(
                    connection, source, staging, context, quarantine, progress
                )
            connection.commit()
            counts: dict[str, dict[str, Any]] = {
                name: dict(table.as_contract()) for name, table in tables.items()
            }
            counts.update({name: {"error": reason} for name, reason in refused.items()})
            _publish(connection, staging, run_id, directory, started, counts)
    except BaseException:
        quarantine.discard()
        raise
    return IngestReport(run_id, tables, quarantine.commit(), refused)


@contextmanager
def _staging_tables(connection: Connection, names: list[str]) -> Iterator[MetaData]:
    """Temporary tables of `connection` shaped like the store's tables `names`, dropped
    after: no constraint but the primary key (which finds ids seen earlier in the file),
    and the line of each row. Writing them takes no lock on the store."""
    staging = MetaData()
    for name in names:
        target = Base.metadata.tables[name]
        Table(
            _staging_name(name),
            staging,
            *(
                Column(column.name, column.type, primary_key=column.primary_key)
                for column in target.columns
            ),
            Column(LINE, Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
    staging.drop_all(connection)  # left on this pooled connection by a run that crashed
    staging.create_all(connection)
    connection.commit()
    try:
        yield staging
    finally:
        connection.rollback()
        staging.drop_all(connection)
        connection.commit()


def _staging_name(table: str) -> str:
    return f"ingest_staging_{table}"


def _publish(
    connection: Connection,
    staging: MetaData,
    run_id: str,
    directory: Path,
    started: datetime,
    counts: dict[str, dict[str, Any]],
) -> None:
    """Upsert every staged row into the store and record the run, in one transaction."""
    lock_for_writing(connection)
    for spec in TABLES:  # referenced tables first
        if _staging_name(spec.name) in staging.tables:
            upsert_from(
                connection,
                Base.metadata.tables[spec.name],
                staging.tables[_staging_name(spec.name)],
            )
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
    connection.commit()


def _load_table(
    connection: Connection,
    source: TableSource,
    staging: MetaData,
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

    staged = staging.tables[_staging_name(spec.name)]
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
            counts.loaded += _flush(connection, source, staged, batch, context, reject)
            batch = []
    counts.loaded += _flush(connection, source, staged, batch, context, reject)
    report(total)
    return counts


def _flush(
    connection: Connection,
    source: TableSource,
    staged: Table,
    batch: list[tuple[int, dict[str, Any], dict[str, Any]]],
    context: RowContext,
    reject: Callable[[int, str, dict[str, Any]], None],
) -> int:
    """Quarantine ids seen earlier in the file, stage the rest; returns rows accepted."""
    if not batch:
        return 0
    id_column = source.spec.id_column
    ids = {record[id_column] for _, _, record in batch}
    first_line: dict[str, int] = dict(
        connection.execute(
            select(staged.c[id_column], staged.c[LINE]).where(staged.c[id_column].in_(ids))
        ).all()
    )
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
        accepted.append({**record, LINE: line})
    if accepted:
        connection.execute(staged.insert(), accepted)
    if source.spec is STREAMERS:
        context.streamers.update(record[id_column] for record in accepted)
    elif source.spec is PRODUCTS:
        context.products.update(record[id_column] for record in accepted)
    return len(accepted)
