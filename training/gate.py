"""The promotion gate: when does a new model version become `champion`?

With `--promote auto` a challenger becomes champion when there is no champion yet, or
when none of these metrics of its training run is worse than the champion's run by more
than the tolerance:

| metric | what it measures | the challenger may |
|---|---|---|
| `coherence_cv`, `coherence_npmi` | topic coherence | trail by ≤ 0.02 |
| `precision_at_5`, `ndcg_at_5` | ranking of the held-out placements | trail by ≤ 0.02 |
| `ece` | calibration error over the held-out pairs | rise by ≤ 0.02 |
| `ece_new_hosts` | the same over new hosts' pairs | rise by ≤ 0.03 |
| `hosts_served_share` | share of hosts with a product at fit ≥ min_fit | fall by ≤ 0.05 |
| `precision_at_min_fit` | share of held-out pairs at fit ≥ min_fit that convert | fall by ≤ 0.03 |

The champion's side is measured again on the challenger's data when it can be
(`training.evaluate.champion_on_same_data`): the same documents for coherence, the same
held-out placements (the latest fifth) for the others. The metrics logged when the
champion was trained came from older weeks; had the latest weeks changed (a category's
new vocabulary, its conversion falling), the challenger alone would be measured on them.

A metric the champion has but the challenger lacks (or could not compute: NaN) refuses
the challenger. A metric the champion lacks (a champion trained before it was logged,
or NaN) cannot be compared: it is skipped, and the decision's reason names it, so an
older champion never blocks promotion for good.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Policy = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Gate:
    """One gated metric: which way is better, and how far worse the challenger may be."""

    metric: str
    higher_is_better: bool
    tolerance: float

    def failure(self, new: float, old: float) -> str | None:
        """Why `new` is worse than `old` beyond the tolerance, or None when it is not."""
        if self.higher_is_better and new < old - self.tolerance:
            return f"{self.metric} {new:.4f} is below the champion's {old:.4f} − {self.tolerance}"
        if not self.higher_is_better and new > old + self.tolerance:
            return f"{self.metric} {new:.4f} is above the champion's {old:.4f} + {self.tolerance}"
        return None


GATES: tuple[Gate, ...] = (
    Gate("coherence_cv", higher_is_better=True, tolerance=0.02),
    Gate("coherence_npmi", higher_is_better=True, tolerance=0.02),
    Gate("precision_at_5", higher_is_better=True, tolerance=0.02),
    Gate("ndcg_at_5", higher_is_better=True, tolerance=0.02),
    Gate("ece", higher_is_better=False, tolerance=0.02),
    Gate("ece_new_hosts", higher_is_better=False, tolerance=0.03),
    Gate("hosts_served_share", higher_is_better=True, tolerance=0.05),
    Gate("precision_at_min_fit", higher_is_better=True, tolerance=0.03),
)


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide_promotion(
    policy: Policy,
    challenger: Mapping[str, float],
    champion: Mapping[str, float] | None,
) -> Decision:
    """Promote always, never, or (auto) when there is no champion or the challenger passes
    every gate of `GATES` that the champion's metrics allow to compare (module docstring).

    Example:
        >>> decide_promotion("auto", {"coherence_cv": 0.5, "coherence_npmi": 0.1}, None).promote
        True
    """
    if policy == "always":
        return Decision(True, "promotion forced (--promote always)")
    if policy == "never":
        return Decision(False, "promotion disabled (--promote never)")
    if champion is None:
        return Decision(True, "no champion yet")
    failures, skipped = [], []
    for gate in GATES:
        old, new = _value(champion, gate.metric), _value(challenger, gate.metric)
        if old is None:
            skipped.append(gate.metric)
        elif new is None:
            failures.append(f"{gate.metric} is missing (the champion's is {old:.4f})")
        elif (failure := gate.failure(new, old)) is not None:
            failures.append(failure)
    unchecked = f"; not compared (the champion has none): {', '.join(skipped)}" if skipped else ""
    if failures:
        return Decision(False, "refused: " + "; ".join(failures) + unchecked)
    return Decision(True, "passes the gate: no gated metric worse than the champion's" + unchecked)


def _value(metrics: Mapping[str, float], metric: str) -> float | None:
    value = metrics.get(metric)
    return None if value is None or math.isnan(value) else float(value)
