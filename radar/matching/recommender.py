"""The one scoring path: hosts' fits over the catalogue, ranked, with reasons.

The API and `radar recommend` call `Recommender.recommend` for one host, the weekly
batch calls `Recommender.recommend_many` for all of them; both go through the same
block scoring (`radar.matching.scoring.top_candidates`), ranking and reasons, so they
give the same list for the same host.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from radar.matching.fit import HostSide, product_vectors
from radar.matching.history import Outcome
from radar.matching.host_side import host_side
from radar.matching.model import RadarModel
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.matching.ranking import BusinessFilters, rank_products
from radar.matching.reasons import Evidence, KeywordRarity, Reasons, explain
from radar.matching.scoring import BlockMapper, candidates_needed, map_blocks

BLOCK_HOSTS = 64
FIT_DECIMALS = 4
NO_FITTING_CATEGORY = "no_fitting_category"
"""A host whose text matches nothing the catalogue holds: no list (`reason` says why)."""
BEST_PRODUCTS = 10
"""How many of a host's best products its affinity to the catalogue is read from."""


def shown_fits(fits: np.ndarray) -> np.ndarray:
    """Fits as every answer shows them, rounded to FIT_DECIMALS: lists are ranked and cut
    on these (so the fit a list shows is the one compared with `min_fit`), pair fits and
    evaluation report them."""
    return np.round(fits, FIT_DECIMALS)


class ListRow(NamedTuple):
    """One recommendation as a row of the week's files and store rows (a tuple: 90,000 of
    them at scale): `reasons` is their text, `reasons_json` the whole reasons."""

    week: str
    streamer_id: str
    streamer_name: str | None
    rank: int
    product_id: str
    title: str
    category: str | None
    price: float | None
    fit: float
    calibrated: bool
    reasons: str
    model_version: str
    reasons_json: str


@dataclass(frozen=True)
class Recommendation:
    """One recommended product: the record every answer is made from (`to_dict` for the
    API and `radar recommend --json`, `list_row` for the batch's files and store rows)."""

    rank: int
    product_id: str
    title: str
    fit: float
    calibrated: bool
    reasons: Reasons
    category: str | None = None
    price: float | None = None

    def to_dict(self) -> dict[str, object]:
        """The item as JSON values, the reasons as an object: an item of the API's body and
        (with the host and the model version) a row of `radar recommend --json`."""
        return {
            "rank": self.rank,
            "product_id": self.product_id,
            "title": self.title,
            "fit": self.fit,
            "calibrated": self.calibrated,
            "reasons": self.reasons.to_dict(),
            "category": self.category,
            "price": self.price,
        }

    def list_row(
        self, week: str, streamer_id: str, model_version: str, streamer_name: str | None = None
    ) -> ListRow:
        """The item as a row of the host's list for `week`."""
        reasons = self.reasons.to_dict()
        return ListRow(
            week,
            streamer_id,
            streamer_name,
            self.rank,
            self.product_id,
            self.title,
            self.category,
            self.price,
            self.fit,
            self.calibrated,
            str(reasons["text"]),
            model_version,
            json.dumps(reasons, ensure_ascii=False),
        )


@dataclass
class HostRecommendations:
    """A host's list, or the reason there is none."""

    streamer_id: str
    state: str
    min_fit: float
    items: list[Recommendation] = field(default_factory=list)
    reason: str | None = None
    """Why there is no list, in Chinese (for `no_fitting_category`)."""
    streamer_name: str | None = None
    """The host's name, as operations know the host (where the store has one)."""


@dataclass(frozen=True)
class HostInput:
    """What the recommender needs of one host."""

    profile: HostProfile
    history: Sequence[Outcome] = ()
    placed: Collection[str] = ()


class Recommender:
    """Scores hosts against one catalogue with one model."""

    def __init__(self, model: RadarModel, catalogue: ProductVectors) -> None:
        self.model = model
        self.catalogue = catalogue
        self.product_vectors = product_vectors(catalogue.side())
        # what block scoring reads, converted once (forked workers share it)
        self._block_vectors = self.product_vectors.astype(np.float32)
        # how common each word is in the catalogue: reasons quote a product's rare words
        # (counted here, before the batch forks its workers)
        self.keyword_rarity = KeywordRarity.of_catalogue(catalogue.tokens)
        # by default a product out of stock is never recommended, where the catalogue says
        self.default_filters = BusinessFilters(
            in_stock_only=any(product.stock is not None for product in catalogue.products)
        )

    def host_side(self, profile: HostProfile, history: Sequence[Outcome]) -> HostSide:
        """The host as the fit sees it."""
        return host_side(profile, self.catalogue, history, peers=self.model.peers)

    def _host_sides(self, hosts: Sequence[HostInput]) -> list[HostSide]:
        """`host_side` of many hosts, their peers looked up together."""
        peers = self.model.peers
        found = (
            peers.peer_vectors_many(
                [h.profile.combined for h in hosts], [h.profile.streamer_id for h in hosts]
            )
            if peers is not None
            else [None] * len(hosts)
        )
        return [
            host_side(h.profile, self.catalogue, h.history, peer_vectors=vectors)
            for h, vectors in zip(hosts, found, strict=True)
        ]

    def fits(self, profile: HostProfile, history: Sequence[Outcome]) -> np.ndarray:
        """The fit of every catalogue product for this host."""
        side = self.host_side(profile, history)
        scores = self.product_vectors @ self.model.fit.host_vector(side)
        return self.model.fit.fits_from_scores(scores, has_history=side.has_history)

    def shown_fits(self, profile: HostProfile, history: Sequence[Outcome]) -> np.ndarray:
        """The fit of every catalogue product for this host as lists and pair fits show it
        (`shown_fits`): what evaluation measures."""
        return shown_fits(self.fits(profile, history))

    def recommend(
        self,
        profile: HostProfile,
        history: Sequence[Outcome] = (),
        *,
        placed: Collection[str] = (),
        top_k: int = 10,
        min_fit: float,
        filters: BusinessFilters | None = None,
    ) -> HostRecommendations:
        """The host's ranked list with reasons; empty with `insufficient_data` when the host
        has too little text to profile."""
        host = HostInput(profile, history, placed)
        return self.recommend_many([host], top_k=top_k, min_fit=min_fit, filters=filters)[0]

    def recommend_many(
        self,
        hosts: Sequence[HostInput],
        *,
        top_k: int = 10,
        min_fit: float,
        filters: BusinessFilters | None = None,
        engine: BlockMapper = map_blocks,
    ) -> list[HostRecommendations]:
        """Lists for many hosts, scored in blocks of hosts (one matrix product each) by
        `engine`; without `filters`, `default_filters` (in stock only, where the catalogue
        has stock)."""
        filters = filters if filters is not None else self.default_filters
        results = [
            HostRecommendations(h.profile.streamer_id, h.profile.state, min_fit) for h in hosts
        ]
        ready = [i for i, h in enumerate(hosts) if h.profile.ready]
        if not ready:
            return results
        sides = self._host_sides([hosts[i] for i in ready])
        vectors = np.vstack([self.model.fit.host_vector(side) for side in sides])
        per_host = max(candidates_needed(top_k, len(hosts[i].placed)) for i in ready)
        blocks = [
            vectors[start : start + BLOCK_HOSTS] for start in range(0, len(ready), BLOCK_HOSTS)
        ]
        scored = engine(blocks, self._block_vectors, per_host=per_host)
        # only the candidates' rows: their float32 scores are recomputed exactly in `_rank`
        rows = np.vstack([block_rows for block_rows, _ in scored])
        for position, index in enumerate(ready):
            reason = self._no_fitting_category(hosts[index].profile, rows[position])
            if reason is not None:
                results[index].state, results[index].reason = NO_FITTING_CATEGORY, reason
                continue
            chosen = self._rank(
                rows[position],
                vectors[position],
                sides[position].has_history,
                hosts[index],
                top_k,
                min_fit,
                filters,
            )
            results[index].items = self._items(hosts[index], chosen)
        return results

    def _no_fitting_category(self, profile: HostProfile, rows: np.ndarray) -> str | None:
        """Why the host gets no list when the topic affinity of its best candidates is
        below the model's floor (what converting placements never fell under); else None."""
        floor = self.model.fit.affinity_floor_
        if floor <= 0 or profile.combined is None:
            return None
        host_roots = np.sqrt(np.clip(profile.combined, 0.0, None))
        affinity = np.sqrt(self.catalogue.matrix[rows]) @ host_roots
        best = np.sort(affinity)[-BEST_PRODUCTS:].mean()
        if best >= floor:
            return None
        labels = self.model.topics.topic_labels_
        topics = np.argsort(-profile.combined, kind="stable")[:2]
        about = "、".join(labels[topic] for topic in topics)
        return f"粉丝和直播关注的内容（{about}）与货盘中的品类都不相近，暂不推荐"

    def _rank(
        self,
        rows: np.ndarray,
        vector: np.ndarray,
        has_history: bool,
        host: HostInput,
        top_k: int,
        min_fit: float,
        filters: BusinessFilters | None,
    ) -> list[tuple[int, float]]:
        """Rank the candidates; when filters used them up while more products may reach
        `min_fit`, rank the whole catalogue instead."""
        fits = self._shown(self.product_vectors[rows] @ vector, has_history)
        products = [self.catalogue.products[row] for row in rows]
        chosen = rank_products(
            fits, products, top_k=top_k, min_fit=min_fit, placed=host.placed, filters=filters
        )
        exhausted = len(rows) < len(self.catalogue.products) and fits.min() >= min_fit
        if len(chosen) < top_k and exhausted:
            all_fits = self._shown(self.product_vectors @ vector, has_history)
            full = rank_products(
                all_fits,
                self.catalogue.products,
                top_k=top_k,
                min_fit=min_fit,
                placed=host.placed,
                filters=filters,
            )
            return [(row, float(all_fits[row])) for row in full]
        return [(int(rows[i]), float(fits[i])) for i in chosen]

    def _shown(self, scores: np.ndarray, has_history: bool) -> np.ndarray:
        """The shown fits of these scores (ranked and cut as shown: a list can be cut at
        any `min_fit`)."""
        return shown_fits(self.model.fit.fits_from_scores(scores, has_history=has_history))

    def _items(self, host: HostInput, chosen: list[tuple[int, float]]) -> list[Recommendation]:
        profile = host.profile
        if profile.combined is None or not chosen:
            return []
        rows = [row for row, _ in chosen]
        reasons = explain(
            profile.combined,
            self.catalogue.matrix[rows],
            labels=self.model.topics.topic_labels_,
            product_tokens=[self.catalogue.tokens[row] for row in rows],
            host_keywords=profile.keywords,
            evidence=Evidence(profile.evidence),
            rarity=self.keyword_rarity,
            product_categories=[self.catalogue.products[row].category for row in rows],
        )
        calibrated = self.model.fit.calibrated
        items = []
        for rank, ((row, fit), why) in enumerate(zip(chosen, reasons, strict=True), start=1):
            product = self.catalogue.products[row]
            items.append(
                Recommendation(
                    rank,
                    product.product_id,
                    product.title,
                    fit,
                    calibrated,
                    why,
                    product.category,
                    product.price,
                )
            )
        return items
