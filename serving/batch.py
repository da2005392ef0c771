"""`radar batch`: every host's list for an ISO week, as CSV, Parquet, XLSX and in the store.

Files are written to a temporary name and renamed, so a crash never leaves a half file;
the content holds nothing time-dependent (the XLSX has no timestamps), so re-running a
week with the same model gives byte-identical files. The lists come from the same
`Recommender.recommend` the API and `radar recommend` call.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete

from radar.errors import RadarError
from radar.matching.scoring import BlockMapper, map_blocks
from radar.matching.store_recommender import StoreRecommender
from radar.store.models import Base, WeeklyRecommendation
from serving.registry import LoadedModel
from serving.xlsx import Sheet, workbook_bytes

COLUMNS = (
    "week",
    "streamer_id",
    "rank",
    "product_id",
    "title",
    "category",
    "price",
    "fit",
    "calibrated",
    "reasons",
    "model_version",
)
HEADERS_ZH = (
    "周",
    "主播ID",
    "排名",
    "商品ID",
    "商品标题",
    "类目",
    "价格",
    "匹配度",
    "已校准",
    "推荐理由",
    "模型版本",
)


@dataclass
class BatchSummary:
    """What a batch run wrote."""

    week: str
    files: list[Path]
    hosts: int = 0
    hosts_with_list: int = 0
    insufficient_data: list[str] = field(default_factory=list)
    no_fitting_product: list[str] = field(default_factory=list)
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
    top_k: int = 10,
    min_fit: float = 0.8,
    progress: Callable[[int, int], None] | None = None,
    scoring: BlockMapper = map_blocks,
) -> BatchSummary:
    """Score every host (blocks of hosts through `scoring`: in process by default, or the
    Dask engine), write the week's files and replace the week's rows in the store."""
    scorer = StoreRecommender(engine, served.model, model_version=served.version)
    results = scorer.recommend_all(top_k=top_k, min_fit=min_fit, progress=progress, engine=scoring)
    summary = BatchSummary(week, [])
    rows: list[dict[str, Any]] = []
    for result in results:
        summary.hosts += 1
        host = result.streamer_id
        if result.state != "ready":
            summary.insufficient_data.append(host)
        elif not result.items:
            summary.no_fitting_product.append(host)
        else:
            summary.hosts_with_list += 1
        for item in result.items:
            rows.append(
                {
                    "week": week,
                    "streamer_id": host,
                    "rank": item.rank,
                    "product_id": item.product_id,
                    "title": item.title,
                    "category": item.category,
                    "price": item.price,
                    "fit": item.fit,
                    "calibrated": item.calibrated,
                    "reasons": item.reasons.text,
                    "model_version": served.version,
                    "reasons_json": json.dumps(item.reasons.to_dict(), ensure_ascii=False),
                }
            )
    summary.rows = len(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"recommendations-{week}"
    for suffix, writer in (
        (".csv", _csv_bytes),
        (".parquet", _parquet_bytes),
        (".xlsx", _xlsx_bytes),
    ):
        path = stem.with_suffix(suffix)
        _write_atomically(path, writer(rows, week))
        summary.files.append(path)
    _store_rows(engine, week, rows)
    return summary


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the lists are for people
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv_bytes(rows: list[dict[str, Any]], _week: str) -> bytes:
    """The contract's columns, UTF-8 with BOM so Excel shows the Chinese text right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_machine_cell(row[column]) for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _parquet_bytes(rows: list[dict[str, Any]], _week: str) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [*COLUMNS, "reasons_json"]
    table = pa.table(
        {name: [row[name] for row in rows] for name in names}
        if rows
        else {name: pa.array([], pa.string()) for name in names}
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _xlsx_bytes(rows: list[dict[str, Any]], week: str) -> bytes:
    """A filterable sheet in Chinese for people (frozen header, widths set), then a `data`
    sheet with the contract's columns for scripts."""
    people = Sheet(
        f"推荐清单 {week}",
        HEADERS_ZH,
        [[_human_cell(row[column]) for column in COLUMNS] for row in rows],
        widths=(10, 12, 6, 12, 40, 10, 10, 8, 8, 80, 10),
        filterable=True,
    )
    data = Sheet(
        "data", COLUMNS, [[_machine_cell(row[column]) for column in COLUMNS] for row in rows]
    )
    return workbook_bytes([people, data])


def _human_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def _machine_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _store_rows(engine: Engine, week: str, rows: list[dict[str, Any]]) -> None:
    table = Base.metadata.tables[WeeklyRecommendation.__tablename__]
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.week == week))
        if rows:
            connection.execute(
                table.insert(),
                [
                    {
                        "week": week,
                        "streamer_id": row["streamer_id"],
                        "rank": row["rank"],
                        "product_id": row["product_id"],
                        "title": row["title"],
                        "fit": row["fit"],
                        "calibrated": int(row["calibrated"]),
                        "reasons": row["reasons_json"],
                        "model_version": row["model_version"],
                    }
                    for row in rows
                ],
            )
