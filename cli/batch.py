"""`radar batch`: every host's list for the week, written and published."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.filters import with_list_options
from cli.render import hosts_progress, print_batch_summary
from radar.settings import Settings

if TYPE_CHECKING:
    from radar.matching.ranking import BusinessFilters
    from serving.batch import BatchSummary


@with_list_options
def batch(
    week: Annotated[str | None, typer.Option(help="ISO week like 2026-W48; default: this")] = None,
    top_k: Annotated[int, typer.Option(min=1, max=200)] = 10,
    min_fit: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
    out: Annotated[Path | None, typer.Option(help="folder (default $RADAR_HOME/batch)")] = None,
    engine: Annotated[str, typer.Option(help="numpy (in process) or dask")] = "numpy",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    *,
    filters: BusinessFilters,
    rank_by: str,
) -> None:
    """Every host's list for the week: CSV (Excel-ready), Parquet, XLSX and the store."""
    if engine not in ("numpy", "dask"):
        raise typer.BadParameter("--engine takes numpy or dask")
    if engine == "dask" and not scheduler:
        raise typer.BadParameter("--engine dask needs --scheduler ADDRESS (tcp://host:8786)")
    summary = week_with_progress(
        Settings(),
        week=week,
        top_k=top_k,
        min_fit=min_fit,
        out=out,
        scheduler=scheduler if engine == "dask" else None,
        filters=filters,
        rank_by=rank_by,
    )
    print_batch_summary(summary)


def week_with_progress(
    settings: Settings,
    *,
    week: str | None,
    top_k: int,
    min_fit: float | None,
    out: Path | None,
    scheduler: str | None = None,
    filters: BusinessFilters | None = None,
    rank_by: str = "fit",
) -> BatchSummary:
    """The champion's lists for `week` from the settings' store and registry, with a bar of
    hosts scored on a terminal."""
    # imported only when the command runs: it forks before importing anything heavy
    from serving.champion_batch import batch_with_champion

    with hosts_progress() as progress:
        return batch_with_champion(
            tracking_uri=settings.resolved_mlflow_tracking_uri,
            model_name=settings.model_name,
            cache=settings.model_cache_dir,
            database_url=settings.resolved_database_url,
            busy_timeout=settings.store_busy_timeout_seconds,
            week=week,
            out_dir=out or settings.batch_dir,
            top_k=top_k,
            min_fit=settings.min_fit if min_fit is None else min_fit,
            workers=settings.resolved_batch_workers,
            scheduler=scheduler,
            progress=progress,
            filters=filters,
            rank_by=rank_by,
            settings=settings,
        )
