"""The promotion gate: when does a new model version become `champion`?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Policy = Literal["auto", "always", "never"]

# A challenger may trail the champion by at most this much on each gated metric.
HIGHER_IS_BETTER: dict[str, float] = {
    "coherence_cv": 0.02,
    "coherence_npmi": 0.02,
    "ndcg_at_5": 0.02,
}
LOWER_IS_BETTER: dict[str, float] = {"fit_holdout_ece": 0.02}


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide_promotion(
    policy: Policy,
    challenger: Mapping[str, float],
    champion: Mapping[str, float] | None,
) -> Decision:
    """Promote always, never, or (auto) when there is no champion or the challenger is no
    worse than the champion on every gated metric (coherence, nDCG@5 on held-out
    placements, calibration error of the fit), within its tolerance.

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
    for metric, tolerance in HIGHER_IS_BETTER.items():
        new, old = challenger.get(metric), champion.get(metric)
        if old is not None and (new is None or new < old - tolerance):
            return Decision(
                False, f"{metric} {new} is below the champion's {old:.4f} − {tolerance}"
            )
    for metric, tolerance in LOWER_IS_BETTER.items():
        new, old = challenger.get(metric), champion.get(metric)
        if old is not None and (new is None or new > old + tolerance):
            return Decision(
                False, f"{metric} {new} is above the champion's {old:.4f} + {tolerance}"
            )
    return Decision(True, "passes the gate: no gated metric worse than the champion's")
