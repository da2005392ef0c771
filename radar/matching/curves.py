"""The map from a pair's logit to its fit: a monotone curve fitted on past placements.

Weighted isotonic regression of conversions on logits, its blocks pooled to at least
`TOP_MIN` placements (the top one `TOP_BLOCK`, and for hosts with history an eighth of
them), straight lines between the blocks' centres, the logistic function scaled below the
first, and above the last a rise towards the best rate that groups of at least as many of
the best placements show (at least the top block's rate plus one standard error), never
reaching it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

TOP_MIN = 30
"""Placements in an isotonic block."""
TOP_BLOCK = 100
"""Placements in the curve's top block, whose rate the fit of the best pairs rests on, and
(effective placements) in the smallest group of the best that may set the curve's cap: the
best 30 all converting is chance often enough to have lifted fits to 0.995."""
WARM_TOP_SHARE = 1 / 8
"""The share of its placements the warm curve's top block holds at least (`top_block`):
ranked by logits that ride on the hosts' own placements, the best 100 of 1,500 converted
above what such pairs do (scenario seed 4: 0.883, the truth 0.85)."""
TOP_MARGIN = 1.0
"""How far above the top block's rate, in its standard errors, the best pairs may rise
when no group of the best placements shows a better rate (`top_margin`)."""


def logistic(scores: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-scores))


@dataclass(frozen=True)
class Curve:
    """The map from a logit to the fit: straight lines through `knots` (increasing logits,
    increasing fits: no plateau), the logistic function scaled to meet the first knot
    below it, and above the last knot a rise that continues the last line's slope but
    flattens towards `cap` (the highest conversion rate a group of at least `TOP_BLOCK` of the
    best training placements shows, or the top block's rate plus one standard error) and
    never reaches it (no 1.0 from the end of a curve)."""

    logits: tuple[float, ...]
    fits: tuple[float, ...]
    cap: float
    reach: float = 1.0
    """Above the last knot the fit closes (1 − 1/e) of its distance to `cap` over this many
    units of logit (the spread of the top block's logits)."""

    _knots: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the knots as arrays, made once: a request maps a few scores at a time, several
        # times, and converting the tuples cost more than mapping them
        object.__setattr__(self, "_knots", (np.asarray(self.logits), np.asarray(self.fits)))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        given = np.atleast_1d(scores)
        logits, fits = self._knots
        shown = np.interp(given, logits, fits)
        below = given < logits[0]
        if below.any():  # each piece worked out only where it applies
            shown[below] = fits[0] * logistic(given[below]) / logistic(logits[0])
        above = given > logits[-1]
        if above.any():
            room = max(self.cap - fits[-1], 0.0)
            rise = 1.0 - np.exp(-(given[above] - logits[-1]) / self.reach)
            shown[above] = fits[-1] + room * rise
        return shown.reshape(scores.shape)

    def to_dict(self) -> dict[str, Any]:
        return {
            "logits": list(self.logits),
            "fits": list(self.fits),
            "cap": self.cap,
            "reach": self.reach,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Curve:
        return cls(
            tuple(float(v) for v in data["logits"]),
            tuple(float(v) for v in data["fits"]),
            float(data["cap"]),
            float(data["reach"]),
        )


def top_block(placements: int, *, warm: bool) -> int:
    """How many placements the top block of a curve fitted on `placements` holds at
    least: `TOP_BLOCK`, and for the curve of hosts with history also `WARM_TOP_SHARE` of
    them."""
    return max(TOP_BLOCK, int(placements * WARM_TOP_SHARE)) if warm else TOP_BLOCK


def fit_curve(
    logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, *, top: int = TOP_BLOCK
) -> Curve:
    """The weighted isotonic regression of `labels` on `logits`, its blocks pooled until
    each holds at least `TOP_MIN` placements and the top one `top` (a handful that all
    converted by chance is no evidence of a rate of 1), as knots at each block's
    weighted mean logit; capped by the best rate the placements show (`evidence_cap`) or,
    when that is lower, the top block's rate plus one standard error (`top_margin`: a cap
    at the block's own rate would leave the curve flat above its last knot), approached
    over the spread of the top block's logits."""
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(logits, kind="stable")
    x, w = logits[order], weights[order]
    y = np.asarray(labels, dtype=float)[order]
    fitted = IsotonicRegression(out_of_bounds="clip").fit_transform(x, y, sample_weight=w)
    starts = [0, *np.flatnonzero(np.diff(fitted) != 0) + 1]
    blocks = [list(range(a, b)) for a, b in zip(starts, [*starts[1:], len(x)], strict=True)]
    pooled: list[list[int]] = []
    for block in blocks:
        if pooled and len(pooled[-1]) < TOP_MIN:
            pooled[-1] = pooled[-1] + block
        else:
            pooled.append(block)
    while len(pooled) > 1 and len(pooled[-1]) < top:
        pooled[-2:] = [pooled[-2] + pooled[-1]]
    centres = [float(np.average(x[b], weights=w[b])) for b in pooled]
    levels = [float(np.average(y[b], weights=w[b])) for b in pooled]
    keep = [0] + [i for i in range(1, len(levels)) if levels[i] > levels[i - 1]]
    best = pooled[-1]
    cap = max(evidence_cap(logits, labels, weights, top=top), top_margin(levels[-1], w[best]))
    reach = float(np.sqrt(np.average((x[best] - centres[-1]) ** 2, weights=w[best])))
    return Curve(
        tuple(centres[i] for i in keep), tuple(levels[i] for i in keep), cap, max(reach, 1e-3)
    )


def top_margin(level: float, weights: np.ndarray) -> float:
    """The top block's rate plus `TOP_MARGIN` standard errors (its effective size from
    `weights`), at most halfway to 1: how far the evidence lets the best pairs rise above
    the block's mean, so that the curve above its last knot climbs instead of sitting flat."""
    error = float(np.sqrt(level * (1.0 - level) / effective_size(weights)))
    return min(level + TOP_MARGIN * error, (level + 1.0) / 2.0)


def evidence_cap(
    logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, *, top: int = TOP_BLOCK
) -> float:
    """The best (weighted) conversion rate of the highest-scored placements, over groups of
    at least `top` effective placements (all of them when there are fewer): no fit
    is more confident than that. Smaller groups are too often lucky (30 of 30 converting
    where the rate is 0.85) to be evidence of a rate."""
    order = np.argsort(logits)[::-1]
    w = weights[order]
    rates = np.cumsum(w * np.asarray(labels, dtype=float)[order]) / np.cumsum(w)
    sizes = np.cumsum(w) ** 2 / np.cumsum(w**2)
    return float(rates[sizes >= min(top, sizes[-1])].max())


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective number of placements of weighted ones: (Σw)² / Σw²."""
    return float(weights.sum() ** 2 / (weights**2).sum())
