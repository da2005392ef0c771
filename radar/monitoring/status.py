"""Statuses and thresholds: every monitored figure is `ok`, `watch` or `act`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "watch", "act"]
STATUSES: tuple[Status, ...] = ("ok", "watch", "act")


@dataclass(frozen=True)
class Threshold:
    """`watch` from `watch` on, `act` from `act` on (below them when lower is worse).

    Example:
        >>> Threshold(0.05, 0.10).status(0.07)
        'watch'
        >>> Threshold(0.7, 0.6, higher_is_worse=False).status(0.55)
        'act'
    """

    watch: float
    act: float
    higher_is_worse: bool = True

    def status(self, value: float) -> Status:
        """The value's status; an unknown value (NaN: nothing to measure) is `ok`."""
        if math.isnan(value):
            return "ok"
        sign = 1.0 if self.higher_is_worse else -1.0
        if sign * value >= sign * self.act:
            return "act"
        if sign * value >= sign * self.watch:
            return "watch"
        return "ok"

    def describe(self) -> str:
        """The rule in words, as the report prints it."""
        way = "≥" if self.higher_is_worse else "≤"
        return f"watch {way} {self.watch:g}, act {way} {self.act:g}"


@dataclass(frozen=True)
class Figure:
    """One monitored figure: its value, status and the rule that gave it."""

    name: str
    value: float
    status: Status
    rule: str
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": None if math.isnan(self.value) else self.value,
            "status": self.status,
            "rule": self.rule,
            "note": self.note,
        }


def judged(name: str, value: float, threshold: Threshold, note: str = "") -> Figure:
    """`value` with the status `threshold` gives it."""
    return Figure(name, float(value), threshold.status(value), threshold.describe(), note)


def worst(statuses: Iterable[Status]) -> Status:
    """The most urgent status of several (`ok` for none)."""
    return max(statuses, key=STATUSES.index, default="ok")
