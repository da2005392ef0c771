"""Adoption in the store: the published recommendations and the placements linking reads,
and the `adoptions` table it writes (`radar.monitoring.adoption` decides the links)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from radar.monitoring.adoption import (
    WINDOW_DAYS,
    Linking,
    ListedItem,
    PlacedItem,
    link_placements,
    week_start,
)
from radar.store.database import lock_for_writing
from radar.store.models import Adoption, Placement, WeeklyRecommendation

INSERT_ROWS = 1000


def read_listed(engine: Engine) -> list[ListedItem]:
    """Every published recommendation (each week as its published batch wrote it; the
    closest products shown below the cut are not recommendations)."""
    query = select(
        WeeklyRecommendation.week,
        WeeklyRecommendation.streamer_id,
        WeeklyRecommendation.rank,
        WeeklyRecommendation.product_id,
        WeeklyRecommendation.fit,
        WeeklyRecommendation.model_version,
    ).where(WeeklyRecommendation.below_cut == 0)
    with engine.connect() as connection:
        return [ListedItem(*row) for row in connection.execute(query)]


def read_placed(engine: Engine, since: datetime | None = None) -> list[PlacedItem]:
    """Placements (from `since` on), as linking reads them."""
    query = select(
        Placement.placement_id,
        Placement.streamer_id,
        Placement.product_id,
        Placement.started_at,
        Placement.recommendation_id,
    )
    if since is not None:
        query = query.where(Placement.started_at >= since)
    with engine.connect() as connection:
        return [PlacedItem(*row) for row in connection.execute(query)]


def link_adoptions(engine: Engine, *, window_days: int = WINDOW_DAYS) -> Linking:
    """Link the placements made since the first published week to the recommendations they
    followed, and replace the `adoptions` table with the links (one transaction)."""
    listed = read_listed(engine)
    first = min((week_start(item.week) for item in listed), default=None)
    placed = read_placed(engine, since=first) if first is not None else []
    linking = link_placements(placed, listed, window_days=window_days)
    rows = [
        {
            "placement_id": adoption.placement_id,
            "recommendation_id": adoption.item.recommendation_id,
            "week": adoption.item.week,
            "rank": adoption.item.rank,
            "fit": adoption.item.fit,
            "model_version": adoption.item.model_version,
            "source": adoption.source,
        }
        for adoption in linking.adoptions
    ]
    with engine.begin() as connection:
        lock_for_writing(connection)
        connection.execute(delete(Adoption))
        for start in range(0, len(rows), INSERT_ROWS):
            connection.execute(insert(Adoption), rows[start : start + INSERT_ROWS])
    return linking


def read_adoptions(engine: Engine) -> dict[str, tuple[str, float]]:
    """Placement id → (the recommendation it followed, that recommendation's fit)."""
    query = select(Adoption.placement_id, Adoption.recommendation_id, Adoption.fit)
    with engine.connect() as connection:
        return {placement: (rec, fit) for placement, rec, fit in connection.execute(query)}
