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

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from radar.matching.curves import Curve, fit_curve, logistic, top_block

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
FLOOR_PERCENTILE = 1.0
SCORE_FLOOR_PERCENTILE = 20.0
"""Where a kind of host's score floor sits among the logits of placements that converted
with hosts that fit: a host whose best products score under it matches nothing on offer."""
FITTING_SHARE = 0.5
"""A host fits what it was offered when it converts at least this share of the overall
placement rate (below it, its conversions are chance)."""


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
    peers_quiet: bool = False
    """No placements of its own, and its nearest warm hosts convert under the rate of all
    placements (`PeerTable.quiet`): it matches nothing on offer, whatever its scores."""

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


class FitModel(ClassifierMixin, BaseEstimator):
    """The pair model, a scikit-learn classifier: a logistic regression on `FEATURES`
    (`C`, `max_iter`) whose logit is mapped to the fit by one `Curve` for hosts with history
    and one for hosts without. `fit` learns `coef_`, `intercept_`, `curves_`,
    `affinity_floor_`, `score_floors_` and `fitting_rate_`; before it, every use raises
    `NotFittedError`."""

    def __init__(self, *, C: float = 100.0, max_iter: int = 5000) -> None:
        self.C = C
        self.max_iter = max_iter

    calibrated = True

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        *,
        warm: np.ndarray | None = None,
        floor_rows: np.ndarray | None = None,
    ) -> FitModel:
        """Fit on pair features `X` (columns in `FEATURES` order) and conversions `y`.

        `warm`: the rows the curve of hosts with history is fitted on (default: rows whose
        `has_history` is set), the others the new hosts' curve. `floor_rows`: the rows whose
        topic affinity sets `affinity_floor_` (its `FLOOR_PERCENTILE`; 0 without them) and
        whose logits set each kind's `score_floors_` (`SCORE_FLOOR_PERCENTILE`): below
        either a host matches nothing the catalogue holds, unless its own placements
        convert at `fitting_rate_` or more."""
        from sklearn.linear_model import LogisticRegression

        X, y = np.asarray(X, dtype=float), np.asarray(y)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(f"X needs {len(FEATURES)} columns ({', '.join(FEATURES)})")
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        warm = X[:, -1] > 0 if warm is None else np.asarray(warm, dtype=bool)
        classifier = LogisticRegression(C=self.C, max_iter=self.max_iter)
        classifier.fit(X, y, sample_weight=weights)
        self.classes_ = classifier.classes_
        self.coef_ = classifier.coef_[0].astype(float)
        self.intercept_ = float(classifier.intercept_[0])
        logits = X @ self.coef_ + self.intercept_
        self.curves_ = {
            kind: fit_curve(
                logits[warm == kind],
                y[warm == kind],
                weights[warm == kind],
                top=top_block(int((warm == kind).sum()), warm=kind),
            )
            for kind in (True, False)
            if (warm == kind).any()
        }
        floor = np.zeros(len(y), bool) if floor_rows is None else np.asarray(floor_rows, bool)
        self.affinity_floor_ = (
            float(np.percentile(X[floor, 0], FLOOR_PERCENTILE)) if floor.any() else 0.0
        )
        self.score_floors_ = {
            kind: float(np.percentile(logits[floor & (warm == kind)], SCORE_FLOOR_PERCENTILE))
            for kind in (True, False)
            if (floor & (warm == kind)).any()
        }
        self.fitting_rate_ = FITTING_SHARE * float(np.mean(y))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """[1 − fit, fit] for each row of pair features."""
        fits = self.predict_fit(X)
        return np.column_stack([1.0 - fits, fits])

    def predict_fit(self, X: np.ndarray) -> np.ndarray:
        """The fit of each row of pair features (its kind of host's curve of the logit)."""
        check_is_fitted(self)
        X = np.asarray(X, dtype=float)
        logits = X @ self.coef_ + self.intercept_
        warm = X[:, -1] > 0
        fits = np.empty(len(logits))
        for has_history in (True, False):
            rows = warm == has_history
            fits[rows] = self.fits_from_scores(logits[rows], has_history=has_history)
        return fits

    def score_floor(self, *, has_history: bool) -> float:
        """The score a host's best products must reach for it to match anything on offer
        (−∞ where the model has none)."""
        floors: dict[bool, float] = self._fitted("score_floors_")
        return floors.get(has_history, -np.inf)

    def host_vector(self, host: HostSide) -> np.ndarray:
        """The host's half of the logit: `logit = host_vector · product_vector`."""
        check_is_fitted(self)
        coef = self.coef_
        topic_part = coef[:_TOPIC_BLOCKS] @ host.roots()
        end = _TOPIC_BLOCKS + _CATEGORY_BLOCKS
        category_part = coef[_TOPIC_BLOCKS:end] @ host.category_rows()
        word_part = coef[end] * host.words
        constant = coef[end + 1] * float(host.has_history) + self.intercept_
        return np.concatenate([topic_part, category_part, word_part, [constant]])

    def fits_from_scores(self, scores: np.ndarray, *, has_history: bool) -> np.ndarray:
        """One host's host-vector · product-vector scores to fits: its kind's curve (the
        logistic function where there is none)."""
        curves: dict[bool, Curve] = self._fitted("curves_")
        curve = curves.get(has_history)
        return logistic(scores) if curve is None else curve(scores)

    def _fitted(self, name: str) -> Any:
        """The fitted attribute `name` (per request: sklearn's `check_is_fitted`, which walks
        every attribute, cost more than the mapping it guarded), checked only when empty."""
        value = getattr(self, name, None)
        if not value:
            check_is_fitted(self)
        return value if value is not None else {}

    @classmethod
    def of(
        cls,
        coef: np.ndarray,
        intercept: float,
        curves: dict[bool, Curve] | None = None,
        affinity_floor: float = 0.0,
        score_floors: dict[bool, float] | None = None,
        fitting_rate: float = 0.0,
        **params: Any,
    ) -> FitModel:
        """A fitted model from its parts (what `from_dict` reads; hand-made in tests)."""
        model = cls(**params)
        model.classes_ = np.array([0, 1])
        model.coef_ = np.asarray(coef, dtype=float)
        model.intercept_ = float(intercept)
        model.curves_ = dict(curves or {})
        model.affinity_floor_ = float(affinity_floor)
        model.score_floors_ = dict(score_floors or {})
        model.fitting_rate_ = float(fitting_rate)
        return model

    def to_dict(self) -> dict[str, Any]:
        check_is_fitted(self)
        return {
            "kind": "logistic",
            "params": self.get_params(),
            "features": list(FEATURES),
            "coef": [float(c) for c in self.coef_],
            "intercept": self.intercept_,
            "curves": {_CURVE_KEYS[key]: curve.to_dict() for key, curve in self.curves_.items()},
            "affinity_floor": self.affinity_floor_,
            "score_floors": {_CURVE_KEYS[key]: v for key, v in self.score_floors_.items()},
            "fitting_rate": self.fitting_rate_,
        }


class AffinityFit:
    """The fit without past outcomes: the plain topic affinity, an uncalibrated score in
    [0, 1] (`calibrated` False). Nothing to learn, and no floor."""

    calibrated = False
    affinity_floor_ = 0.0
    fitting_rate_ = 0.0

    def score_floor(self, *, has_history: bool) -> float:
        return -np.inf

    def host_vector(self, host: HostSide) -> np.ndarray:
        """The combined profile's √ (and zeros): the logit is then the topic affinity."""
        categories = np.zeros(host.category_rows().shape[1])
        return np.concatenate([host.roots()[0], categories, np.zeros(host.words.size), [0.0]])

    def fits_from_scores(self, scores: np.ndarray, *, has_history: bool) -> np.ndarray:
        return np.clip(scores, 0.0, 1.0)

    def predict_fit(self, X: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(X, dtype=float)[:, 0], 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "affinity", "features": list(FEATURES)}


Fit = FitModel | AffinityFit
"""What turns a pair into its fit: the fitted pair model, or the affinity without one."""


def product_vectors(products: ProductSide) -> np.ndarray:
    """The products' half of the logit, one row per product: `[√p, q, w, 1]`."""
    return np.hstack(
        [products.roots, products.categories, products.words, np.ones((len(products), 1))]
    )


def fit_from_dict(data: dict[str, Any]) -> Fit:
    """The fit saved by `to_dict` (a model saved before `kind` was written has `coef`)."""
    if list(data.get("features", FEATURES)) != list(FEATURES):
        raise ValueError(f"fit model features {data.get('features')} differ from {FEATURES}")
    if data.get("kind") == "affinity" or data.get("coef") is None:
        return AffinityFit()
    curves = data.get("curves") or {}
    floors = data.get("score_floors") or {}
    return FitModel.of(
        np.asarray(data["coef"], dtype=float),
        float(data.get("intercept", 0.0)),
        {key: Curve.from_dict(curves[name]) for key, name in _CURVE_KEYS.items() if name in curves},
        float(data.get("affinity_floor", 0.0)),
        {key: float(floors[name]) for key, name in _CURVE_KEYS.items() if name in floors},
        float(data.get("fitting_rate", 0.0)),
        **data.get("params", {}),
    )
