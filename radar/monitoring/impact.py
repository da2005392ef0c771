"""Impact: do placements that followed a recommendation convert more than the others?

Operations choose what they place, so followed and other placements differ in hosts and
categories; a naive difference mixes the recommendation's effect with theirs. The estimate
compares like with like: within each stratum (host × category) the difference between
followed and other placements' conversion rates, averaged with Mantel–Haenszel weights
n₁·n₀ / (n₁ + n₀) (a stratum with only one kind tells nothing and weighs 0). The interval
is a percentile bootstrap over hosts (whole hosts resampled, so repeated placements of one
host are not counted as independent evidence).

What it assumes: within a host and a category, whether a placement followed a
recommendation is unrelated to how well it would have converted anyway (no other reason,
such as a product's price or season, both made operations follow and made it convert);
the effect is the same size in every stratum, or the figure is their weighted mean; and
placements are linked to the recommendation they followed correctly (`adoption`).

Status: `act` when the whole interval lies below 0 (followed placements convert worse),
`watch` when the estimate is a loss of `WATCH_LOSS` (5 points) or more but the interval
still holds 0, `ok` otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from radar.monitoring.status import Figure, Status

BOOTSTRAP = 1000
LEVEL = 0.95
WATCH_LOSS = 0.05
RULE = f"act when the interval lies below 0, watch when the estimate is ≤ −{WATCH_LOSS}"


@dataclass(frozen=True)
class ImpactEstimate:
    """The adjusted difference in conversion (followed − others), in rate points."""

    uplift: float
    low: float
    high: float
    baseline: float
    naive: float
    followed: int
    others: int
    strata_used: int

    @property
    def relative(self) -> float:
        """`uplift` as a share of the others' rate in the same strata."""
        return self.uplift / self.baseline if self.baseline > 0 else math.nan

    @property
    def status(self) -> Status:
        if self.high < 0:
            return "act"
        if self.uplift <= -WATCH_LOSS:
            return "watch"
        return "ok"

    def figure(self, name: str = "impact.uplift") -> Figure:
        note = (
            f"{self.uplift:+.3f} ({LEVEL:.0%} CI {self.low:+.3f} … {self.high:+.3f}), "
            f"{self.relative:+.0%} of {self.baseline:.3f}; naive {self.naive:+.3f}; "
            f"{self.followed} followed, {self.others} others, {self.strata_used} strata"
        )
        return Figure(name, self.uplift, self.status, RULE, note)

    def to_dict(self) -> dict[str, float | int | str | None]:
        return {
            "uplift": self.uplift,
            "low": self.low,
            "high": self.high,
            "relative": None if math.isnan(self.relative) else self.relative,
            "baseline": self.baseline,
            "naive": self.naive,
            "followed": self.followed,
            "others": self.others,
            "strata_used": self.strata_used,
            "status": self.status,
        }


def estimate_impact(
    converted: Sequence[int] | np.ndarray,
    followed: Sequence[bool] | np.ndarray,
    hosts: Sequence[str],
    categories: Sequence[str | None],
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> ImpactEstimate | None:
    """The stratified uplift of `followed` placements (module docstring), or None when no
    stratum holds both kinds."""
    outcome = np.asarray(converted, dtype=float)
    chose = np.asarray(followed, dtype=bool)
    strata: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(zip(hosts, categories, strict=True)):
        strata.setdefault((key[0], key[1] or ""), []).append(row)
    host_index: dict[str, int] = {}
    rows = []  # (host, weight, weighted difference, weighted baseline)
    for (host, _), members in strata.items():
        index = np.asarray(members)
        yes, no = index[chose[index]], index[~chose[index]]
        if not len(yes) or not len(no):
            continue
        size = len(yes) * len(no) / len(index)
        p1, p0 = float(outcome[yes].mean()), float(outcome[no].mean())
        rows.append((host_index.setdefault(host, len(host_index)), size, p1 - p0, p0))
    if not rows:
        return None
    host_of = np.array([row[0] for row in rows])
    weight = np.array([row[1] for row in rows])
    numerator = np.bincount(host_of, weight * np.array([row[2] for row in rows]))
    base = np.bincount(host_of, weight * np.array([row[3] for row in rows]))
    denominator = np.bincount(host_of, weight)
    draws = np.random.default_rng(seed).multinomial(
        len(host_index), np.full(len(host_index), 1 / len(host_index)), size=bootstrap
    )
    replicates = (draws @ numerator) / (draws @ denominator)  # every host weighs > 0
    tail = (1 - LEVEL) / 2
    return ImpactEstimate(
        uplift=float(numerator.sum() / denominator.sum()),
        low=float(np.quantile(replicates, tail)),
        high=float(np.quantile(replicates, 1 - tail)),
        baseline=float(base.sum() / denominator.sum()),
        naive=float(outcome[chose].mean() - outcome[~chose].mean()),
        followed=int(chose.sum()),
        others=int((~chose).sum()),
        strata_used=len(rows),
    )
