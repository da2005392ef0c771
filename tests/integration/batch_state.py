"""Running a batch in the test process, and what a batch left in the store (for the
tests of killed and failed runs)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from radar.service.registry import load_champion
from radar.settings import Settings
from radar.store import open_store
from serving.batch import BatchSummary, run_batch

WEEK = "2026-W48"
NAMES = [f"recommendations-{WEEK}.{ext}" for ext in ("csv", "parquet", "xlsx")]

UNPUBLISHED = (
    "SELECT COUNT(*) FROM weekly_recommendation_rows WHERE batch_id NOT IN "
    "(SELECT batch_id FROM week_publications UNION SELECT batch_id FROM retired_batches)"
)


def unpublished_rows(home: Path) -> int:
    """Store rows of runs neither published nor replaced by a later publication."""
    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.connect() as connection:
        count = connection.execute(text(UNPUBLISHED)).scalar_one()
    engine.dispose()
    return int(count)


def batch(home: Path, out: Path, **options: object) -> BatchSummary:
    """`radar batch` of WEEK with the champion of `home`, written to `out` (at the
    settings' `min_fit` unless `options` give one, as the command does)."""
    settings = Settings(home=home)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return run_batch(
        open_store(settings.resolved_database_url),
        loaded,
        week=WEEK,
        out_dir=out,
        **{"min_fit": settings.min_fit, **options},
    )  # type: ignore[arg-type]
