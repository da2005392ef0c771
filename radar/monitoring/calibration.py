"""Realised against predicted: is a fit of 0.8 still converting about 80% of the time?

Two figures per group of hosts (all, warm, new), each over the placements made after the
champion was trained, scored with the fit the champion gives the pair:

- `ece_excess`: the expected calibration error (10 bins) above what chance alone gives a
  calibrated fit with these counts; watch ≥ 0.05, act ≥ 0.10.
- `min_fit_shortfall`: the mean fit of the pairs at fit ≥ `min_fit` minus their conversion
  rate, beyond one standard error; watch ≥ 0.05, act ≥ 0.10.

Chance alone: a calibrated bin of n pairs at mean fit p misses its rate by about
√(2/π)·√(p(1−p)/n) on average, so the raw ECE of a perfectly calibrated model on a few
hundred pairs is already 0.02–0.04; subtracting it keeps a small, calibrated sample `ok`.
A group with fewer than `MIN_PAIRS` placements is not judged (value NaN, status `ok`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from radar.metrics import expected_calibration_error, reliability_table
from radar.monitoring.status import Figure, Status, Threshold, judged, worst

ECE_EXCESS = Threshold(watch=0.05, act=0.10)
MIN_FIT_SHORTFALL = Threshold(watch=0.05, act=0.10)
MIN_PAIRS = 30
N_BINS = 10


@dataclass(frozen=True)
class CalibrationCheck:
    """One group's calibration: its figures and reliability table."""

    group: str
    pairs: int
    ece: float
    chance_ece: float
    precision_at_min_fit: float
    pairs_at_min_fit: int
    reliability: list[tuple[float, float, float, int]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst(figure.status for figure in self.figures)


def check_calibration(
    converted: np.ndarray, fit: np.ndarray, *, min_fit: float, group: str = "all"
) -> CalibrationCheck:
    """The calibration figures of predicted `fit` against realised `converted` (0/1)."""
    truth = np.asarray(converted, dtype=float)
    prob = np.asarray(fit, dtype=float)
    enough = len(truth) >= MIN_PAIRS
    table = reliability_table(truth, prob, n_bins=N_BINS) if len(truth) else []
    ece = expected_calibration_error(truth, prob, n_bins=N_BINS) if len(truth) else math.nan
    chance = _chance_ece(table)
    above = prob >= min_fit
    precision = float(truth[above].mean()) if above.any() else math.nan
    shortfall = math.nan
    if above.sum() >= MIN_PAIRS:
        predicted = float(prob[above].mean())
        error = math.sqrt(max(predicted * (1 - predicted), 1e-12) / above.sum())
        shortfall = max(0.0, predicted - precision - error)
    few = "" if enough else f"fewer than {MIN_PAIRS} placements: not judged"
    figures = [
        judged(
            f"{group}.ece_excess",
            max(0.0, ece - chance) if enough else math.nan,
            ECE_EXCESS,
            few or f"ECE {ece:.3f}, chance alone {chance:.3f}, {len(truth)} placements",
        ),
        judged(
            f"{group}.min_fit_shortfall",
            shortfall,
            MIN_FIT_SHORTFALL,
            f"{int(above.sum())} placements at fit ≥ {min_fit:g} converted at {precision:.3f}"
            if above.any()
            else f"no placement at fit ≥ {min_fit:g}",
        ),
    ]
    return CalibrationCheck(
        group=group,
        pairs=len(truth),
        ece=ece,
        chance_ece=chance,
        precision_at_min_fit=precision,
        pairs_at_min_fit=int(above.sum()),
        reliability=table,
        figures=figures,
    )


def check_calibration_by_group(
    converted: np.ndarray, fit: np.ndarray, warm: np.ndarray, *, min_fit: float
) -> list[CalibrationCheck]:
    """`check_calibration` for all placements, warm hosts' and new hosts' apart (`warm`:
    the host had placements with outcomes when the champion was trained)."""
    truth, prob, is_warm = np.asarray(converted), np.asarray(fit), np.asarray(warm, dtype=bool)
    return [
        check_calibration(truth, prob, min_fit=min_fit, group="all"),
        check_calibration(truth[is_warm], prob[is_warm], min_fit=min_fit, group="warm"),
        check_calibration(truth[~is_warm], prob[~is_warm], min_fit=min_fit, group="new"),
    ]


def _chance_ece(table: list[tuple[float, float, float, int]]) -> float:
    """The ECE a calibrated fit shows by chance alone with these bins' counts."""
    total = sum(count for *_, count in table)
    if not total:
        return math.nan
    spread = math.sqrt(2 / math.pi)
    return float(
        sum(
            count / total * spread * math.sqrt(predicted * (1 - predicted) / count)
            for _, predicted, _, count in table
        )
    )
