"""Past placements and their outcomes, as the matcher reads them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """One past placement: did the pair convert?"""

    streamer_id: str
    product_id: str
    started_at: datetime
    converted: int


History = tuple[list[Outcome], set[str]]
"""A host's past placements with an outcome (oldest first), and every product placed."""


def histories_of(
    outcomes: list[Outcome], placed: dict[str, set[str]], streamer_ids: Sequence[str]
) -> dict[str, History]:
    """Each of these hosts' history, from `load_placements`' two parts."""
    histories: dict[str, History] = {host: ([], placed.get(host, set())) for host in streamer_ids}
    for outcome in outcomes:
        histories[outcome.streamer_id][0].append(outcome)
    return histories


def split_by_time(
    outcomes: Sequence[Outcome], known: Collection[str], *, holdout_fraction: float
) -> tuple[list[Outcome], list[Outcome]]:
    """The outcomes of `known` products in time order (ties by host, then product), cut
    into the earlier (1 − `holdout_fraction`) and the held-out rest: what training learns
    from and what it is judged on."""
    ordered = sorted(
        (o for o in outcomes if o.product_id in known),
        key=lambda o: (o.started_at, o.streamer_id, o.product_id),
    )
    cut = int(len(ordered) * (1 - holdout_fraction))
    return ordered[:cut], ordered[cut:]
