"""The one scoring path: a host's fits over the catalogue, ranked, with reasons.

The CLI, the weekly batch and the API all call `Recommender.recommend`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from radar.matching.calibration import host_side
from radar.matching.fit import pair_features
from radar.matching.history import Outcome
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.matching.ranking import BusinessFilters, rank_products
from radar.matching.reasons import Reasons, explain
from radar.model import RadarModel


@dataclass(frozen=True)
class Recommendation:
    """One recommended product."""

    rank: int
    product_id: str
    title: str
    fit: float
    calibrated: bool
    reasons: Reasons
    category: str | None = None
    price: float | None = None


@dataclass
class HostRecommendations:
    """A host's list, or the reason there is none."""

    streamer_id: str
    state: str
    min_fit: float
    items: list[Recommendation] = field(default_factory=list)


class Recommender:
    """Scores hosts against one catalogue with one model."""

    def __init__(self, model: RadarModel, catalogue: ProductVectors) -> None:
        self.model = model
        self.catalogue = catalogue
        self._products = catalogue.side()

    def fits(self, profile: HostProfile, history: Sequence[Outcome]) -> np.ndarray:
        """The fit of every catalogue product for this host."""
        side = host_side(profile, self.catalogue, history, peers=self.model.peers)
        return self.model.fit.predict(pair_features(side, self._products))

    def recommend(
        self,
        profile: HostProfile,
        history: Sequence[Outcome] = (),
        *,
        placed: Collection[str] = (),
        host_lines: Sequence[str] = (),
        top_k: int = 10,
        min_fit: float = 0.8,
        filters: BusinessFilters | None = None,
    ) -> HostRecommendations:
        """The host's ranked list with reasons; empty with `insufficient_data` when the host
        has too little text to profile."""
        result = HostRecommendations(profile.streamer_id, profile.state, min_fit)
        if not profile.ready or profile.combined is None:
            return result
        fits = self.fits(profile, history)
        rows = rank_products(
            fits,
            self.catalogue.products,
            top_k=top_k,
            min_fit=min_fit,
            placed=placed,
            filters=filters,
        )
        labels = self.model.topics.topic_labels_
        for rank, row in enumerate(rows, start=1):
            product = self.catalogue.products[row]
            reasons = explain(
                profile.combined,
                self.catalogue.matrix[row],
                labels=labels,
                product_tokens=self.catalogue.tokens[row],
                host_keywords=profile.keywords,
                host_lines=host_lines,
            )
            result.items.append(
                Recommendation(
                    rank,
                    product.product_id,
                    product.title,
                    round(float(fits[row]), 4),
                    self.model.fit.calibrated,
                    reasons,
                    product.category,
                    product.price,
                )
            )
        return result
