"""Adoption: which placement followed which recommendation of a weekly list.

A recommendation is one row of a published week's list; its id is
`WEEK:STREAMER_ID:RANK` (e.g. `2026-W48:s001:3`). A placement follows it when

1. the placement names it in `recommendation_id` (systems that know the link), or else
2. the placement pairs the same host and product, and starts within `window_days` of the
   Monday (00:00, Beijing time) that opens the recommendation's week; when several weeks
   listed the pair, the latest week that had started by then wins.

An explicit id that names no published recommendation links nothing (it is counted, so the
caller can see its ids do not match).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

WINDOW_DAYS = 14
Source = Literal["explicit", "matched"]


@dataclass(frozen=True)
class ListedItem:
    """One published recommendation."""

    week: str
    streamer_id: str
    rank: int
    product_id: str
    fit: float
    model_version: str

    @property
    def recommendation_id(self) -> str:
        return recommendation_id(self.week, self.streamer_id, self.rank)


@dataclass(frozen=True)
class PlacedItem:
    """One placement, as linking reads it."""

    placement_id: str
    streamer_id: str
    product_id: str
    started_at: datetime
    recommendation_id: str | None = None


@dataclass(frozen=True)
class Adoption:
    """A placement and the recommendation it followed."""

    placement_id: str
    item: ListedItem
    source: Source


@dataclass(frozen=True)
class Linking:
    adoptions: list[Adoption]
    unknown_ids: list[str]
    """Explicit `recommendation_id`s naming no published recommendation."""


def recommendation_id(week: str, streamer_id: str, rank: int) -> str:
    """The id of rank `rank` of the host's list for `week`."""
    return f"{week}:{streamer_id}:{rank}"


def week_start(week: str) -> datetime:
    """The Monday 00:00 that opens ISO week `week` (`YYYY-Www`)."""
    return datetime.strptime(week + "-1", "%G-W%V-%u")


def link_placements(
    placements: Iterable[PlacedItem],
    listed: Sequence[ListedItem],
    *,
    window_days: int = WINDOW_DAYS,
) -> Linking:
    """Each placement's recommendation, by its explicit id or by host, product and time."""
    by_id = {item.recommendation_id: item for item in listed}
    by_pair: dict[tuple[str, str], list[tuple[datetime, ListedItem]]] = {}
    for item in listed:
        by_pair.setdefault((item.streamer_id, item.product_id), []).append(
            (week_start(item.week), item)
        )
    for weeks in by_pair.values():
        weeks.sort(key=lambda pair: pair[0], reverse=True)
    window = timedelta(days=window_days)
    adoptions, unknown = [], []
    for placed in placements:
        if placed.recommendation_id:
            named = by_id.get(placed.recommendation_id)
            if named is None:
                unknown.append(placed.recommendation_id)
            else:
                adoptions.append(Adoption(placed.placement_id, named, "explicit"))
            continue
        for opened, item in by_pair.get((placed.streamer_id, placed.product_id), ()):
            if opened <= placed.started_at < opened + window:
                adoptions.append(Adoption(placed.placement_id, item, "matched"))
                break
    return Linking(adoptions, unknown)
