"""What a batch left in the store, for the tests of killed and failed runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from radar.settings import Settings
from radar.store import open_store

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
