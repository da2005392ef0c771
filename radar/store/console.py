"""What the operations console reads from the store: hosts found by id or name, the
published weeks of `radar batch` with each host's count, and a host's latest text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, case, func, select

from radar.store.models import Comment, Streamer, Transcript, WeeklyRecommendation, WeekPublication


@dataclass(frozen=True)
class PublishedWeek:
    """One week `radar batch` published: by which model version, how many rows, when."""

    week: str
    model_version: str
    row_count: int
    published_at: datetime


@dataclass(frozen=True)
class WeekHost:
    """One host's part of a published week: how many products it lists at the cut, how
    many closest products below it (when none reached it), the best fit."""

    streamer_id: str
    streamer_name: str | None
    items: int
    below_cut: int
    best_fit: float


def search_hosts(engine: Engine, text: str, limit: int) -> list[tuple[str, str]]:
    """At most `limit` (id, name) of the hosts whose id or name contains `text` (any case),
    the host whose id is `text` first, then by id."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Streamer.streamer_id, Streamer.name)
        .where(
            Streamer.streamer_id.ilike(pattern, escape="\\")
            | Streamer.name.ilike(pattern, escape="\\")
        )
        .order_by(case((Streamer.streamer_id == text, 0), else_=1), Streamer.streamer_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [(str(host), str(name)) for host, name in connection.execute(query)]


_PUBLISHED = select(
    WeekPublication.week,
    WeekPublication.model_version,
    WeekPublication.row_count,
    WeekPublication.published_at,
).order_by(WeekPublication.week.desc())


def published_weeks(engine: Engine, limit: int) -> list[PublishedWeek]:
    """The latest `limit` published weeks, newest first."""
    with engine.connect() as connection:
        return [PublishedWeek(*row) for row in connection.execute(_PUBLISHED.limit(limit))]


def published_week(engine: Engine, week: str | None) -> PublishedWeek | None:
    """The published `week` (YYYY-Www), or the latest when None; None when not published."""
    query = _PUBLISHED if week is None else _PUBLISHED.where(WeekPublication.week == week)
    with engine.connect() as connection:
        row = connection.execute(query.limit(1)).first()
    return None if row is None else PublishedWeek(*row)


def week_hosts(engine: Engine, week: str, limit: int) -> tuple[int, list[WeekHost]]:
    """How many hosts the published `week` lists, and the first `limit` of them by id
    with their counts."""
    listed = WeeklyRecommendation
    per_host = (
        select(
            listed.streamer_id,
            func.sum(case((listed.below_cut == 0, 1), else_=0)).label("listed"),
            func.sum(listed.below_cut).label("below_cut"),
            func.max(listed.fit).label("best_fit"),
        )
        .where(listed.week == week)
        .group_by(listed.streamer_id)
        .subquery()
    )
    query = (
        select(
            per_host.c.streamer_id,
            Streamer.name,
            per_host.c.listed,
            per_host.c.below_cut,
            per_host.c.best_fit,
        )
        .outerjoin(Streamer, Streamer.streamer_id == per_host.c.streamer_id)
        .order_by(per_host.c.streamer_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(per_host)) or 0
        rows = [
            WeekHost(str(host), name, int(items), int(below), float(best))
            for host, name, items, below, best in connection.execute(query)
        ]
    return int(total), rows


def last_text_at(engine: Engine, streamer_id: str) -> datetime | None:
    """When the host last spoke or was written to (its latest transcript or comment)."""
    with engine.connect() as connection:
        talk = connection.scalar(
            select(func.max(Transcript.started_at)).where(Transcript.streamer_id == streamer_id)
        )
        fans = connection.scalar(
            select(func.max(Comment.created_at)).where(Comment.streamer_id == streamer_id)
        )
    times = [time for time in (talk, fans) if time is not None]
    return max(times) if times else None
