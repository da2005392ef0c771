"""`radar batch`: every host's list for an ISO week, as CSV, Parquet, XLSX and in the store.

The week is published whole or not at all (`serving.publication`): the files are written
into a staging folder and the store rows under the run's batch id, then published together;
the content holds nothing time-dependent (the XLSX has no timestamps), so re-running a
week with the same model gives byte-identical files. The lists come from the same
`Recommender.recommend` the API and `radar recommend` call.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from radar.atomic import synced_file
from radar.errors import RadarError
from radar.matching.ranking import BusinessFilters
from radar.matching.recommender import (
    BELOW_CUT,
    NO_FITTING_CATEGORY,
    HostRecommendations,
    ListRow,
)
from radar.matching.scoring import BlockMapper, map_blocks
from radar.service.forked import forked_map
from radar.service.options import ListOptions
from radar.service.registry import LoadedModel
from radar.service.service import RadarService
from radar.store.models import Base, WeeklyRecommendationRow
from radar.store.reads import StoreSnapshot
from serving.packed import PackedRows, in_groups, pack
from serving.publication import delete_retired, publishing
from serving.xlsx import Sheet, write_workbook

COLUMNS = (
    "week",
    "streamer_id",
    "streamer_name",
    "rank",
    "product_id",
    "title",
    "category",
    "price",
    "fit",
    "calibrated",
    "proposal_score",
    "heat",
    "fan_demand",
    "profit",
    "proposal_rank",
    "below_cut",
    "reasons",
    "model_version",
)
PARQUET_ROWS = 20_000
STORE_ROWS = 5_000


Rows = PackedRows[ListRow]
"""The week's rows, as the workers packed them."""

HEADERS_ZH = (
    "周",
    "主播ID",
    "主播",
    "排名",
    "商品ID",
    "商品标题",
    "类目",
    "价格",
    "匹配度",
    "已校准",
    "提案分",
    "市场热度",
    "粉丝需求",
    "产品利润",
    "提案排名",
    "低于阈值",
    "推荐理由",
    "模型版本",
)
MEETING_COLUMNS = (
    "streamer_name",
    "streamer_id",
    "proposal_rank",
    "product_id",
    "title",
    "category",
    "price",
    "proposal_score",
    "heat",
    "fan_demand",
    "profit",
    "fit",
    "reasons",
)
"""The selection meeting's sheet: each host's list ordered by proposal score."""


@dataclass
class BatchSummary:
    """What a batch run wrote."""

    week: str
    files: list[Path]
    hosts: int = 0
    hosts_with_list: int = 0
    insufficient_data: list[str] = field(default_factory=list)
    no_fitting_product: list[str] = field(default_factory=list)
    """Hosts whose best product stays under the cut, or whose text matches nothing the
    catalogue holds (state `no_fitting_category`)."""
    rows: int = 0


def iso_week(value: str | None, today: date | None = None) -> str:
    """`YYYY-Www`, checked; the current ISO week when `value` is None."""
    if value is None:
        year, week, _ = (today or date.today()).isocalendar()
        return f"{year}-W{week:02d}"
    try:
        datetime.strptime(value + "-1", "%G-W%V-%u")
    except ValueError:
        raise RadarError(f"--week takes an ISO week like 2026-W48, got {value!r}") from None
    return value


def run_batch(
    engine: Engine,
    served: LoadedModel,
    *,
    week: str,
    out_dir: Path,
    min_fit: float,
    top_k: int = 10,
    progress: Callable[[int, int], None] | None = None,
    scoring: BlockMapper = map_blocks,
    workers: int = 1,
    snapshot: StoreSnapshot | None = None,
    filters: BusinessFilters | None = None,
    rank_by: str = "fit",
    options: ListOptions | None = None,
) -> BatchSummary:
    """Score every host (blocks of hosts through `scoring`: in process by default, in
    `workers` forked processes, or on a Dask cluster), write the week's files and rows and
    publish them together, replacing the week's last published ones. `snapshot`: the
    store's catalogue and histories, when already read; `filters` and `rank_by` as
    `Recommender.recommend_many` takes them, on top of `options` (settings' defaults)."""
    with _no_collector_passes():
        service = RadarService(
            engine,
            served.model,
            model_version=served.version,
            snapshot=snapshot,
            options=options,
        )
        chunks = service.map_chunks(
            partial(_packed_rows, week=week, version=served.version),
            top_k=top_k,
            min_fit=min_fit,
            filters=filters,
            rank_by=rank_by,
            progress=progress,
            engine=scoring,
            workers=workers if scoring is map_blocks else 1,  # a Dask cluster has its own
        )
        rows, summary = _gather(chunks, week)
        del service  # its catalogue and history: before the writers fork, not after
        with publishing(
            engine, out_dir, week, model_version=served.version, rows=summary.rows
        ) as staging:
            stem = staging.folder / f"recommendations-{week}"
            parts = (  # two writers of about equal work (measured): one process each
                (
                    partial(_xlsx_sink, stem.with_suffix(".xlsx"), week),
                    partial(_parquet_sink, stem.with_suffix(".parquet")),
                ),
                (
                    partial(_store_sink, engine, staging.batch_id),
                    partial(_csv_sink, stem.with_suffix(".csv")),
                ),
            )

            def write(part: int) -> None:
                with ExitStack() as stack:  # one pass over the rows
                    sinks = [stack.enter_context(open_sink()) for open_sink in parts[part]]
                    for group in rows.chunks():
                        for sink in sinks:
                            sink(group)

            for _ in forked_map(
                write,
                range(len(parts)),
                workers=workers,
                after_fork=partial(engine.dispose, close=False),
            ):
                pass
    stem = out_dir / f"recommendations-{week}"
    summary.files = [stem.with_suffix(suffix) for suffix in (".csv", ".parquet", ".xlsx")]
    return summary


@contextmanager
def _no_collector_passes() -> Iterator[None]:
    """Pause the cyclic garbage collector for the run (in the forked workers too).

    The run holds millions of long-lived objects (the catalogue, the history, the rows)
    and makes few cycles; each collector pass would walk all of them, for nothing.
    Memory stays bounded (measured by the batch benchmark)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _gather(
    chunks: Iterator[tuple[list[tuple[str, str, int]], bytes]], week: str
) -> tuple[Rows, BatchSummary]:
    """Every host's list as rows (packed chunk by chunk), and what they hold."""
    summary = BatchSummary(week, [])
    rows: Rows = PackedRows()
    for hosts, packed in chunks:
        count = 0
        for host, state, items in hosts:
            summary.hosts += 1
            if state == "insufficient_data":
                summary.insufficient_data.append(host)
            elif not items or state in (BELOW_CUT, NO_FITTING_CATEGORY):
                summary.no_fitting_product.append(host)
            else:
                summary.hosts_with_list += 1
            count += items
        rows.add(packed, count)
    summary.rows = len(rows)
    return rows, summary


def _packed_rows(
    results: list[HostRecommendations], *, week: str, version: str
) -> tuple[list[tuple[str, str, int]], bytes]:
    """A chunk's hosts (id, state, number of rows) and its rows, packed (made where the
    hosts are scored)."""
    rows = [
        row
        for result in results
        for row in with_proposal_ranks(
            [
                item.list_row(week, result.streamer_id, version, result.streamer_name)
                for item in result.items
            ]
        )
    ]
    hosts = [(result.streamer_id, result.state, len(result.items)) for result in results]
    return hosts, pack(rows)


def with_proposal_ranks(rows: list[ListRow]) -> list[ListRow]:
    """One host's rows, each with its place in the list ordered by proposal score (then
    by rank)."""
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].proposal_score, rows[i].rank))
    places = {index: place for place, index in enumerate(order, start=1)}
    return [row._replace(proposal_rank=places[i]) for i, row in enumerate(rows)]


Sink = Callable[[list[ListRow]], None]
"""Takes the rows group by group, in order."""


@contextmanager
def _csv_sink(path: Path) -> Iterator[Sink]:
    """The contract's columns, UTF-8 with BOM so Excel shows the Chinese text right."""
    with synced_file(path) as file:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", write_through=False)
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        yield lambda group: writer.writerows(
            [[_machine_cell(getattr(row, column)) for column in COLUMNS] for row in group]
        )
        text.flush()
        text.detach()  # synced_file closes the file


@contextmanager
def _parquet_sink(path: Path) -> Iterator[Sink]:
    """The contract's columns and `reasons_json`, in row groups of PARQUET_ROWS rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [*COLUMNS, "reasons_json"]
    types = {
        "rank": pa.int64(),
        "price": pa.float64(),
        "fit": pa.float64(),
        "calibrated": pa.bool_(),
        **{name: pa.float64() for name in ("proposal_score", "heat", "fan_demand", "profit")},
        "proposal_rank": pa.int64(),
        "below_cut": pa.bool_(),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in names])
    pending: list[ListRow] = []
    with synced_file(path) as file, pq.ParquetWriter(file, schema) as writer:

        def flush(count: int) -> None:
            columns = {name: [getattr(row, name) for row in pending[:count]] for name in names}
            writer.write_table(pa.table(columns, schema=schema))
            del pending[:count]

        def write(group: list[ListRow]) -> None:
            pending.extend(group)
            while len(pending) >= PARQUET_ROWS:
                flush(PARQUET_ROWS)

        yield write
        if pending:
            flush(len(pending))


@contextmanager
def _store_sink(engine: Engine, batch_id: str) -> Iterator[Sink]:
    """The week's rows under the run's batch id, in one transaction (inserted in chunks)
    after deleting those of replaced runs; readers see them once the run is published."""
    table = Base.metadata.tables[WeeklyRecommendationRow.__tablename__]
    with engine.begin() as connection:
        delete_retired(connection)

        def write(group: list[ListRow]) -> None:
            for part in in_groups(group, STORE_ROWS):
                connection.execute(table.insert(), [_store_row(row, batch_id) for row in part])

        yield write


def _store_row(row: ListRow, batch_id: str) -> dict[str, Any]:
    """The row as the store keeps it: the reasons' text, as in the files, and the whole
    reasons beside it, as in the Parquet file."""
    return {
        "week": row.week,
        "batch_id": batch_id,
        "streamer_id": row.streamer_id,
        "rank": row.rank,
        "product_id": row.product_id,
        "title": row.title,
        "fit": row.fit,
        "calibrated": int(row.calibrated),
        "reasons": row.reasons,
        "reasons_json": row.reasons_json,
        "model_version": row.model_version,
        "proposal_score": row.proposal_score,
        "heat": row.heat,
        "fan_demand": row.fan_demand,
        "profit": row.profit,
        "below_cut": int(row.below_cut),
        "proposal_rank": row.proposal_rank,
    }


@contextmanager
def _xlsx_sink(path: Path, week: str) -> Iterator[Sink]:
    """One filterable sheet in Chinese for people (frozen header, widths set), written
    when every row is in (the sheet's size comes first in the file)."""
    rows: list[ListRow] = []
    yield rows.extend
    by_host = Sheet(
        f"推荐清单 {week}",
        HEADERS_ZH,
        _cells(rows, _human_cell),
        len(rows),
        widths=(10, 12, 12, 6, 12, 40, 10, 10, 8, 8, 8, 8, 8, 8, 8, 8, 80, 10),
        filterable=True,
        formats=(
            *("", "", "", "", "", "wrap", "", "yuan", "percent", ""),
            *("percent", "percent", "percent", "percent", "", "", "wrap", ""),
        ),
    )
    meeting_order = sorted(rows, key=lambda row: (row.streamer_id, row.proposal_rank or 0))
    headers = dict(zip(COLUMNS, HEADERS_ZH, strict=True))
    meeting = Sheet(
        f"选题会 {week}",
        [headers[column] for column in MEETING_COLUMNS],
        (
            [_human_cell(getattr(row, column)) for column in MEETING_COLUMNS]
            for row in meeting_order
            if not row.below_cut
        ),
        sum(not row.below_cut for row in rows),
        widths=(12, 12, 8, 12, 40, 10, 10, 8, 8, 8, 8, 8, 80),
        filterable=True,
        formats=(
            *("", "", "", "", "wrap", "", "yuan"),
            *("percent", "percent", "percent", "percent", "percent", "wrap"),
        ),
    )
    with synced_file(path) as file:
        write_workbook(file, [by_host, meeting])


def _cells(rows: list[ListRow], cell: Callable[[Any], Any]) -> Iterator[list[Any]]:
    """The rows' cells in contract column order."""
    return ([cell(getattr(row, column)) for column in COLUMNS] for row in rows)


def _human_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def _machine_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
