"""The fit of a host–product pair: a probability that the pair converts.

Every feature is a dot product of a host-side vector and a product-side one. Topic
features are affinities `⟨√a, √p⟩` (the Bhattacharyya coefficient, in [0, 1]) between a
host-side topic distribution `a` and the product's topics `p`; category features are
`⟨c, q⟩` between a host-side vector over categories `c` and the product's category
distribution `q` (`radar.matching.categories`); `word_similarity` is the cosine `⟨h, w⟩`
of the host's and the product's unit word vectors, what orders products whose topics and
category are alike:

| feature | host side |
|---|---|
| `topic_affinity` | the combined profile (talk + fans) |
| `talk_affinity` | what the host says (transcripts) |
| `fans_affinity` | what the fans ask for (comments) |
| `hit_affinity` | topics of products that converted with this host before |
| `miss_affinity` | topics of products placed with this host that did not convert |
| `peer_affinity` | topics of what converted with the most similar warm hosts |
| `category_rate` | the host's smoothed conversion rate in each category |
| `category_tried` | the share of the host's placements in each category |
| `category_peer_rate` | the peers' smoothed conversion rates per category |
| `word_similarity` | the host's word vector (`radar.topics.word_vectors`), against the product's |
| `has_history` | 1 when the host has past placements (no product side) |

With past placements, the fit is a logistic regression on these features (fitted by
`radar.matching.calibration`), its logit mapped to the fit by a `Curve` for hosts with
history and one for hosts without (the logistic function where there is none):
`calibrated = True`. A curve increases everywhere and never reaches its cap, the best
conversion rate the placements show. Without outcomes the fit is the plain `topic_affinity`, an
uncalibrated score in [0, 1]: `calibrated = False`.

Because each feature is a dot product with the product's √topics or its category
distribution, the weighted sum collapses: the logit is one dot product of a host vector
`[Σ wᵢ·√aᵢ, Σ wⱼ·cⱼ, w·h, constant]` and a product vector `[√p, q, w, 1]`, so scoring a block
of hosts against the whole catalogue is one matrix product. The curves are monotone and
chosen per host, so they keep each host's ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

FEATURES = (
    "topic_affinity",
    "talk_affinity",
    "fans_affinity",
    "hit_affinity",
    "miss_affinity",
    "peer_affinity",
    "category_rate",
    "category_tried",
    "category_peer_rate",
    "word_similarity",
    "has_history",
)
_TOPIC_BLOCKS = 6  # features with a product-side topic vector
_CATEGORY_BLOCKS = 3  # features with a product-side category vector


@dataclass(frozen=True)
class ProductSide:
    """The product half of every feature: √topics, category distributions, unit word
    vectors."""

    roots: np.ndarray
    categories: np.ndarray
    words: np.ndarray

    def rows(self, indices: list[int] | np.ndarray) -> ProductSide:
        return ProductSide(self.roots[indices], self.categories[indices], self.words[indices])

    def __len__(self) -> int:
        return int(self.roots.shape[0])


@dataclass(frozen=True)
class HostSide:
    """A host's vectors as the fit sees them (zeros where absent)."""

    combined: np.ndarray
    talk: np.ndarray
    fans: np.ndarray
    hits: np.ndarray
    misses: np.ndarray
    peers: np.ndarray
    category_rate: np.ndarray
    category_tried: np.ndarray
    category_peer_rate: np.ndarray
    words: np.ndarray
    has_history: bool

    def roots(self) -> np.ndarray:
        """The square roots of the six topic distributions, one per row."""
        stacked = np.vstack(
            [self.combined, self.talk, self.fans, self.hits, self.misses, self.peers]
        )
        return np.sqrt(np.clip(stacked, 0.0, None))

    def category_rows(self) -> np.ndarray:
        """The three category vectors, one per row."""
        return np.vstack([self.category_rate, self.category_tried, self.category_peer_rate])


def mean_distribution(vectors: np.ndarray, width: int) -> np.ndarray:
    """The mean of some distributions, or zeros when there are none."""
    if len(vectors) == 0:
        return np.zeros(width)
    return np.asarray(vectors, dtype=float).mean(axis=0)


def pair_features(host: HostSide, products: ProductSide) -> np.ndarray:
    """products × FEATURES for one host."""
    topics = products.roots @ host.roots().T
    categories = products.categories @ host.category_rows().T
    words = (products.words @ host.words)[:, np.newaxis]
    history = np.full((len(products), 1), float(host.has_history))
    return np.hstack([topics, categories, words, history])


_CURVE_KEYS = {True: "warm", False: "cold"}


def _logistic(scores: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-scores))


@dataclass(frozen=True)
class Curve:
    """The map from a logit to the fit: straight lines through `knots` (increasing logits,
    increasing fits: no plateau), the logistic function scaled to meet the first knot
    below it, and above the last knot a rise that continues the last line's slope but
    flattens towards `cap`, the highest conversion rate the training placements show, and
    never reaches it (no 1.0 from the end of a curve)."""

    logits: tuple[float, ...]
    fits: tuple[float, ...]
    cap: float
    reach: float = 1.0
    """Above the last knot the fit closes (1 − 1/e) of its distance to `cap` over this many
    units of logit (the spread of the top block's logits)."""

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        logits, fits = np.asarray(self.logits), np.asarray(self.fits)
        below = fits[0] * _logistic(scores) / _logistic(logits[0])
        room = max(self.cap - fits[-1], 0.0)
        rise = 1.0 - np.exp(-np.clip(scores - logits[-1], 0, None) / self.reach)
        above = fits[-1] + room * rise
        inside = np.interp(scores, logits, fits)
        return np.where(scores < logits[0], below, np.where(scores > logits[-1], above, inside))

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


@dataclass
class FitModel:
    """Turns pair features into a fit in [0, 1]; `curves` maps the logit to the fit for
    hosts with history (`True`) and without (`False`)."""

    coef: np.ndarray | None = None
    intercept: float = 0.0
    curves: dict[bool, Curve] = field(default_factory=dict)
    affinity_floor: float = 0.0
    """Below this topic affinity to its best products, a host matches nothing the catalogue
    holds: the 1st percentile of the affinity of the training placements that converted."""

    @property
    def calibrated(self) -> bool:
        return self.coef is not None

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The fit of each row of `features` (columns in `FEATURES` order)."""
        if self.coef is None:
            return np.clip(features[:, 0], 0.0, 1.0)
        logits = features @ self.coef + self.intercept
        warm = features[:, -1] > 0
        fits = np.empty(len(logits))
        for has_history in (True, False):
            rows = warm == has_history
            fits[rows] = self.fits_from_scores(logits[rows], has_history=has_history)
        return fits

    def host_vector(self, host: HostSide) -> np.ndarray:
        """The host's half of the logit: `logit = host_vector · product_vector`. Without
        calibration it is the combined profile's √, so the product is the topic affinity."""
        if self.coef is None:
            categories = np.zeros(host.category_rows().shape[1])
            return np.concatenate([host.roots()[0], categories, np.zeros(host.words.size), [0.0]])
        topic_part = self.coef[:_TOPIC_BLOCKS] @ host.roots()
        end = _TOPIC_BLOCKS + _CATEGORY_BLOCKS
        category_part = self.coef[_TOPIC_BLOCKS:end] @ host.category_rows()
        word_part = self.coef[end] * host.words
        constant = self.coef[end + 1] * float(host.has_history) + self.intercept
        return np.concatenate([topic_part, category_part, word_part, [constant]])

    @staticmethod
    def product_vectors(products: ProductSide) -> np.ndarray:
        """The products' half of the logit, one row per product: `[√p, q, w, 1]`."""
        return np.hstack(
            [products.roots, products.categories, products.words, np.ones((len(products), 1))]
        )

    def fits_from_scores(self, scores: np.ndarray, *, has_history: bool) -> np.ndarray:
        """One host's host-vector · product-vector scores to fits: its curve when
        calibrated (the logistic function without one); the affinity, clipped, when not."""
        if self.coef is None:
            return np.clip(scores, 0.0, 1.0)
        if has_history in self.curves:
            return self.curves[has_history](scores)
        return _logistic(scores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "coef": None if self.coef is None else [float(c) for c in self.coef],
            "intercept": float(self.intercept),
            "curves": {_CURVE_KEYS[key]: curve.to_dict() for key, curve in self.curves.items()},
            "affinity_floor": float(self.affinity_floor),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitModel:
        if list(data.get("features", FEATURES)) != list(FEATURES):
            raise ValueError(f"fit model features {data.get('features')} differ from {FEATURES}")
        coef = data.get("coef")
        curves = data.get("curves") or {}
        return cls(
            None if coef is None else np.asarray(coef, dtype=float),
            float(data.get("intercept", 0.0)),
            {
                key: Curve.from_dict(curves[name])
                for key, name in _CURVE_KEYS.items()
                if name in curves
            },
            float(data.get("affinity_floor", 0.0)),
        )
