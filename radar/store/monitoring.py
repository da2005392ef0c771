"""What monitoring reads from the store: outcomes with their placement's category, which
placements followed a list, the fits of published weeks, and the last load of each table."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
from sqlalchemy import Engine, func, select

from radar.schema import TABLES
from radar.store.models import (
    Adoption,
    Comment,
    IngestRun,
    Placement,
    Product,
    Transcript,
    WeekPublication,
)
from radar.store.models import WeeklyRecommendation as Listed

PlacementKey = tuple[str, str, datetime]
"""A placement by host, product and start (what `Outcome` carries)."""


def product_categories(engine: Engine) -> dict[str, str | None]:
    """Product id → category."""
    with engine.connect() as connection:
        rows = connection.execute(select(Product.product_id, Product.category))
        return {product: category for product, category in rows}


def adopted_placements(engine: Engine) -> set[PlacementKey]:
    """The placements the `adoptions` table links to a recommendation."""
    query = select(Placement.streamer_id, Placement.product_id, Placement.started_at).join(
        Adoption, Adoption.placement_id == Placement.placement_id
    )
    with engine.connect() as connection:
        return {(host, product, started) for host, product, started in connection.execute(query)}


def published_fits(engine: Engine, model_version: str) -> dict[str, np.ndarray]:
    """Week → the fits of its published list, for the weeks `model_version` published,
    oldest week first."""
    query = (
        select(Listed.week, Listed.fit)
        .join(WeekPublication, WeekPublication.week == Listed.week)
        .where(WeekPublication.model_version == model_version)
        .order_by(Listed.week)
    )
    weeks: dict[str, list[float]] = {}
    with engine.connect() as connection:
        for week, fit in connection.execute(query):
            weeks.setdefault(week, []).append(fit)
    return {week: np.asarray(fits) for week, fits in weeks.items()}


def last_loads(engine: Engine) -> dict[str, datetime | None]:
    """Each input table → when an ingest last loaded rows into it (None: never)."""
    last: dict[str, datetime | None] = {spec.name: None for spec in TABLES}
    query = (
        select(IngestRun.finished_at, IngestRun.counts)
        .where(IngestRun.finished_at.is_not(None))
        .order_by(IngestRun.finished_at)
    )
    with engine.connect() as connection:
        for finished, counts in connection.execute(query):
            for table, figures in json.loads(counts or "{}").items():
                if table in last and isinstance(figures, dict) and figures.get("loaded"):
                    last[table] = finished
    return last


def latest_activity(engine: Engine) -> datetime | None:
    """The latest time of any placement, transcript or comment (None for an empty store):
    the end of the data a model trained now has seen."""
    with engine.connect() as connection:
        times = [
            connection.scalar(select(func.max(column)))
            for column in (Placement.started_at, Transcript.started_at, Comment.created_at)
        ]
    known = [moment for moment in times if moment is not None]
    return max(known, default=None)
