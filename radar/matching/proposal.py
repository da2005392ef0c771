"""The selection meeting's proposal score: 市场热度 30% + 粉丝需求 40% + 产品利润 30%.

Each part lies in [0, 1]:

- **heat** (市场热度): the share of a product's recent activity, conversions and mentions
  in comments and transcripts, that falls in the last weeks rather than the weeks before
  (0.5: steady, above: rising). A product with little activity of its own leans on its
  category's share, and a category with little on the whole catalogue's
  (`momentum`: `(recent + s·prior) / (recent + before + s)`).
- **fan_demand** (粉丝需求): how close the product's topics are to what the host's fans ask
  for (the Bhattacharyya coefficient of the fans' profile and the product's topics; the
  host's whole profile where the fans have said nothing).
- **profit** (产品利润): the margin's place in the catalogue (the share of products with a
  lower margin, ties halved; 0 for a product without a margin).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHRINKAGE = 5.0
"""Events a product (or category) needs before its own share outweighs its prior."""


@dataclass(frozen=True)
class ProposalWeights:
    """The parts' weights (default 30/40/30), used normalised to sum to 1."""

    heat: float = 0.3
    fan_demand: float = 0.4
    profit: float = 0.3

    def __post_init__(self) -> None:
        values = (self.heat, self.fan_demand, self.profit)
        if min(values) < 0 or sum(values) <= 0:
            raise ValueError(f"proposal weights must be ≥ 0 and not all 0, got {values}")

    def score(self, heat: np.ndarray, fan_demand: np.ndarray, profit: np.ndarray) -> np.ndarray:
        total = self.heat + self.fan_demand + self.profit
        return (self.heat * heat + self.fan_demand * fan_demand + self.profit * profit) / total


@dataclass(frozen=True)
class ProposalParts:
    """One product's proposal score for one host, and its parts."""

    score: float
    heat: float
    fan_demand: float
    profit: float


def momentum(
    recent: np.ndarray, before: np.ndarray, prior: np.ndarray | float, strength: float = SHRINKAGE
) -> np.ndarray:
    """The recent share of activity, shrunk towards `prior` by `strength` events."""
    recent, before = np.asarray(recent, dtype=float), np.asarray(before, dtype=float)
    return (recent + strength * np.asarray(prior)) / (recent + before + strength)


def heat_scores(
    recent: np.ndarray, before: np.ndarray, categories: Sequence[str | None]
) -> np.ndarray:
    """Each product's heat from its activity counts in the recent weeks and the weeks
    before: its own share, shrunk towards its category's, shrunk towards the catalogue's
    (which is shrunk towards 0.5)."""
    recent, before = np.asarray(recent, dtype=float), np.asarray(before, dtype=float)
    overall = float(momentum(np.array(recent.sum()), np.array(before.sum()), 0.5))
    rows: dict[str | None, list[int]] = defaultdict(list)
    for row, category in enumerate(categories):
        rows[category].append(row)
    prior = np.full(len(recent), overall)
    for category, members in rows.items():
        if category is None:
            continue
        prior[members] = momentum(
            np.array(recent[members].sum()), np.array(before[members].sum()), overall
        )
    return momentum(recent, before, prior)


def profit_scores(margins: Sequence[float | None]) -> np.ndarray:
    """Each margin's place among the catalogue's known margins, in [0, 1]: the share of
    them that are lower (ties count half); 0 where the margin is unknown."""
    known = np.array([m for m in margins if m is not None], dtype=float)
    scores = np.zeros(len(margins))
    if len(known) < 2:
        return scores
    ordered = np.sort(known)
    for row, margin in enumerate(margins):
        if margin is not None:
            below = np.searchsorted(ordered, margin, side="left")
            ties = np.searchsorted(ordered, margin, side="right") - below
            scores[row] = (below + (ties - 1) / 2) / (len(known) - 1)
    return scores


def fan_demand_scores(fans: np.ndarray, product_roots: np.ndarray) -> np.ndarray:
    """⟨√fans, √p⟩ of the fans' topic distribution and each product's √topics, in [0, 1]."""
    return np.clip(product_roots @ np.sqrt(np.clip(fans, 0.0, None)), 0.0, 1.0)
