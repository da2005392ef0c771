"""The fit of a host–product pair: a probability that the pair converts.

Every feature is an affinity `⟨√a, √p⟩` (the Bhattacharyya coefficient, in [0, 1])
between a host-side topic distribution `a` and the product's `p`:

| feature | host side |
|---|---|
| `topic_affinity` | the combined profile (talk + fans) |
| `talk_affinity` | what the host says (transcripts) |
| `fans_affinity` | what the fans ask for (comments) |
| `hit_affinity` | products that converted with this host before |
| `miss_affinity` | products placed with this host that did not convert |
| `peer_affinity` | products that converted with the most similar warm hosts (`peers`) |
| `has_history` | 1 when the host has past placements (no product side) |

With past placements, the fit is a logistic regression on these features (fitted by
`training`, validated on a time-based hold-out): `calibrated = True`. Without outcomes
the fit is the plain `topic_affinity`, an uncalibrated score in [0, 1]:
`calibrated = False`.

Because each feature is a dot product, the logit is one dot product of a host vector
and a product vector: scoring a whole catalogue is a matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FEATURES = (
    "topic_affinity",
    "talk_affinity",
    "fans_affinity",
    "hit_affinity",
    "miss_affinity",
    "peer_affinity",
    "has_history",
)
_TOPIC_BLOCKS = 6  # the features with a product-side topic vector


@dataclass(frozen=True)
class HostSide:
    """A host's topic distributions as the scorer sees them (zeros where absent)."""

    combined: np.ndarray
    talk: np.ndarray
    fans: np.ndarray
    hits: np.ndarray
    misses: np.ndarray
    peers: np.ndarray
    has_history: bool

    def roots(self) -> np.ndarray:
        """The square roots of the six distributions, one per row."""
        stacked = np.vstack(
            [self.combined, self.talk, self.fans, self.hits, self.misses, self.peers]
        )
        return np.sqrt(np.clip(stacked, 0.0, None))


def mean_distribution(vectors: np.ndarray, num_topics: int) -> np.ndarray:
    """The mean of some topic distributions, or zeros when there are none."""
    if len(vectors) == 0:
        return np.zeros(num_topics)
    return np.asarray(vectors, dtype=float).mean(axis=0)


def pair_features(host: HostSide, product_roots: np.ndarray) -> np.ndarray:
    """products × FEATURES for one host; `product_roots` is √(product topic vectors)."""
    affinities = product_roots @ host.roots().T
    history = np.full((product_roots.shape[0], 1), float(host.has_history))
    return np.hstack([affinities, history])


@dataclass
class FitModel:
    """Turns pair features into a fit in [0, 1]."""

    coef: np.ndarray | None = None
    intercept: float = 0.0

    @property
    def calibrated(self) -> bool:
        return self.coef is not None

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The fit of each row of `features` (columns in `FEATURES` order)."""
        if self.coef is None:
            return np.clip(features[:, 0], 0.0, 1.0)
        return 1.0 / (1.0 + np.exp(-(features @ self.coef + self.intercept)))

    def host_vector(self, host: HostSide) -> np.ndarray:
        """The host's half of the bilinear logit: `logit = host_vector · product_vector`."""
        if self.coef is None:
            raise ValueError("an uncalibrated fit has no logit: use predict on the features")
        weighted = self.coef[:_TOPIC_BLOCKS, np.newaxis] * host.roots()
        constant = self.coef[_TOPIC_BLOCKS] * float(host.has_history) + self.intercept
        return np.concatenate([weighted.ravel(), [constant]])

    @staticmethod
    def product_vectors(product_roots: np.ndarray) -> np.ndarray:
        """The products' half of the bilinear logit, one row per product."""
        tiled = np.tile(product_roots, (1, _TOPIC_BLOCKS))
        return np.hstack([tiled, np.ones((product_roots.shape[0], 1))])

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "coef": None if self.coef is None else [float(c) for c in self.coef],
            "intercept": float(self.intercept),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitModel:
        if list(data.get("features", FEATURES)) != list(FEATURES):
            raise ValueError(f"fit model features {data.get('features')} differ from {FEATURES}")
        coef = data.get("coef")
        return cls(
            None if coef is None else np.asarray(coef, dtype=float),
            float(data.get("intercept", 0.0)),
        )
