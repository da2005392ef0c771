"""`radar batch` with the registry's champion: the registry asked in a forked process
while this one reads the store, then the week scored in process, in forked workers or on
a Dask cluster (`serving.batch.run_batch`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from radar.service.forked import forked_call
from radar.service.registry import fetch_champion
from radar.service.registry_probe import require_champion

if TYPE_CHECKING:
    from radar.matching.ranking import BusinessFilters
    from radar.matching.scoring import BlockMapper
    from radar.settings import Settings
    from serving.batch import BatchSummary


def batch_with_champion(
    *,
    tracking_uri: str,
    model_name: str,
    cache: Path,
    database_url: str,
    busy_timeout: float,
    week: str | None,
    out_dir: Path,
    top_k: int,
    min_fit: float,
    workers: int,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    filters: BusinessFilters | None = None,
    rank_by: str = "fit",
    settings: Settings | None = None,
) -> BatchSummary:
    """The champion's lists for `week` (None: this week), written and published; scored on
    the Dask cluster at `scheduler` when given, else in `workers` processes; `filters` and
    `rank_by` on top of the `settings`' list options."""
    require_champion(tracking_uri, model_name)
    # the registry (MLflow's import alone takes two seconds) in a process forked before
    # anything heavy is imported, while this one imports the rest and reads the store
    with forked_call(fetch_champion, tracking_uri, model_name, cache) as champion:
        from radar.store import open_store
        from radar.store.reads import read_snapshot  # imported after the fork, see above

        store = open_store(database_url, busy_timeout=busy_timeout)
        snapshot = read_snapshot(store)
        loaded = champion().load()

    from radar.matching.scoring import map_blocks  # NumPy: after the fork, see above
    from radar.service.options import ListOptions
    from serving.batch import iso_week, run_batch

    engine: AbstractContextManager[BlockMapper] = nullcontext(map_blocks)
    if scheduler is not None:
        from serving.dask_engine import dask_engine  # Dask: only for --engine dask

        engine = dask_engine(scheduler)
    with engine as scoring:
        return run_batch(
            store,
            loaded,
            week=iso_week(week),
            out_dir=out_dir,
            top_k=top_k,
            min_fit=min_fit,
            progress=progress,
            scoring=scoring,
            workers=workers,
            snapshot=snapshot,
            filters=filters,
            rank_by=rank_by,
            options=None if settings is None else ListOptions.of(settings),
        )
