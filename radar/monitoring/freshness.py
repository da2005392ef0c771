"""Data freshness: how long since each table was last loaded.

`freshness.TABLE` is the age in days of the last ingest that loaded rows into TABLE;
watch ≥ 8 days (a weekly load missed), act ≥ 15 days (two missed). A table never loaded
is `act` (value NaN: there is nothing to monitor it with).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from radar.monitoring.status import Figure, Threshold, judged

AGE_DAYS = Threshold(watch=8.0, act=15.0)


def freshness(last_loaded: Mapping[str, datetime | None], now: datetime) -> list[Figure]:
    """One figure per table from the time of its last load (None: never loaded)."""
    figures = []
    for table, when in last_loaded.items():
        name = f"freshness.{table}"
        if when is None:
            figures.append(Figure(name, math.nan, "act", AGE_DAYS.describe(), "never loaded"))
            continue
        age = (now - when).total_seconds() / 86400
        figures.append(judged(name, age, AGE_DAYS, f"last loaded {when:%Y-%m-%d %H:%M}"))
    return figures
