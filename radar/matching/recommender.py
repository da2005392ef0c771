"""The one scoring path: hosts' fits over the catalogue, ranked, with reasons.

The API and `radar recommend` call `Recommender.recommend` for one host, the weekly
batch calls `Recommender.recommend_many` for all of them; both go through the same
block scoring (`radar.matching.scoring.top_candidates`), ranking and reasons, so they
give the same list for the same host.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from radar.matching.candidates import CandidateSet, fingerprint, score_slack
from radar.matching.fit import HostSide, product_vectors
from radar.matching.history import Outcome
from radar.matching.host_side import host_side
from radar.matching.model import RadarModel
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.matching.proposal import (
    ProposalParts,
    ProposalWeights,
    fan_demand_scores,
    profit_scores,
)
from radar.matching.ranking import (
    BusinessFilters,
    CatalogueColumns,
    PassingRows,
    rank_passing,
    rank_rows,
)
from radar.matching.reasons import (
    NOTHING_QUOTED,
    Evidence,
    KeywordRarity,
    QuoteTrail,
    Reasons,
    explain,
)
from radar.matching.scoring import BlockMapper, candidates_needed, map_blocks

BLOCK_HOSTS = 64
FIT_DECIMALS = 6
"""Fits are shown to six decimals: calibrated on outcomes by category, the fits within a
list differ by a few hundred-thousandths, and at four decimals most neighbours tied (the
model's order was invisible). Read them to two decimals: ECE is about 0.03."""
PART_DECIMALS = 4
"""The proposal score's parts (heat, fan demand, profit) are shown to four decimals."""
NO_FITTING_CATEGORY = "no_fitting_category"
"""A host whose text matches nothing the catalogue holds: no list (`reason` says why)."""
BELOW_CUT = "below_cut"
"""No product reaches `min_fit`: the list holds the closest ones, each marked `below_cut`."""
NEAR_CUT = 1e-3
"""How far below the cut a float32 fit may sit and still be scored again exactly (float32
scores are off by far less)."""
NEAR_ROWS = 128
"""The best-scored rows a whole-catalogue ranking maps to fits first (`_near`): the rows
within reach of an answer are a few dozen, those a filter mix passes thousands."""
BELOW_CUT_ITEMS = 3
"""How many of the closest products a list below the cut shows (at most `top_k`)."""
RANK_BY = ("fit", "proposal")
BEST_PRODUCTS = 10
"""How many of a host's best products its affinity to the catalogue is read from."""
BAND_ROWS = 32
"""Rows kept past the most a request can take (`keep_top_k`): the band around its cut
(`CandidateSet.band`)."""


def shown_fits(fits: np.ndarray) -> np.ndarray:
    """Fits as every answer shows them, rounded to FIT_DECIMALS: lists are ranked and cut
    on these (so the fit a list shows is the one compared with `min_fit`), pair fits and
    evaluation report them."""
    return np.round(fits, FIT_DECIMALS)


class Ask(NamedTuple):
    """What a request asks of a ranking: how many products, from which fit, through which
    filters (resolved), ordered by what."""

    top_k: int
    min_fit: float
    filters: BusinessFilters
    rank_by: str


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
    proposal_score: float
    heat: float
    fan_demand: float
    profit: float
    below_cut: bool
    proposal_rank: int | None = None
    """The item's place in the host's list ordered by proposal score (set by the batch)."""


NEUTRAL = ProposalParts(0.0, 0.0, 0.0, 0.0)


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
    proposal: ProposalParts = NEUTRAL
    below_cut: bool = False
    """One of the closest products shown when none reaches `min_fit`."""

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
            "proposal_score": self.proposal.score,
            "heat": self.proposal.heat,
            "fan_demand": self.proposal.fan_demand,
            "profit": self.proposal.profit,
            "below_cut": self.below_cut,
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
            self.proposal.score,
            self.proposal.heat,
            self.proposal.fan_demand,
            self.proposal.profit,
            self.below_cut,
        )


@dataclass(frozen=True, slots=True)
class KnownHead:
    """A host's list made before, whose head a later request's list may share (the API's
    precomputed lists): each item's row and fit, whether the list is below the cut, the
    market heat its proposal scores were made with, and where its reasons left the quotes.
    It holds for the profile and placements of `fingerprint` (`candidates.fingerprint`:
    the caller checks it) with the same model and catalogue; `recommend` then explains
    only the items after the part of the head its answer shares (`HostRecommendations.known`)."""

    fingerprint: bytes
    rows: Sequence[int]
    fits: Sequence[float]
    below_cut: bool
    heat: np.ndarray
    quotes: QuoteTrail


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
    candidates: CandidateSet | None = None
    """The host's best rows, kept when asked for (`keep_top_k`)."""
    head: KnownHead | None = None
    """This list as a known head for later requests, kept when asked for (`keep_top_k`)."""
    known: int = 0
    """How many of the list's first items are those of the known head the request gave
    (`head`): left out of `items`, which hold the rest from rank `known + 1`."""


@dataclass(frozen=True)
class HostInput:
    """What the recommender needs of one host."""

    profile: HostProfile
    history: Sequence[Outcome] = ()
    placed: Collection[str] = ()


class LastAnswer:
    """Each thread's last answer of a computation, for its next call with the same `anchor`
    (an object, compared by identity: it is kept alive with the answer) and equal `key`."""

    def __init__(self) -> None:
        self._last = threading.local()

    def get(self, anchor: object, key: tuple[object, ...]) -> Any:
        """The answer kept for this anchor and key, or None."""
        last = getattr(self._last, "value", None)
        if last is not None and last[0] is anchor and last[1] == key:
            return last[2]
        return None

    def keep(self, anchor: object, key: tuple[object, ...], answer: object) -> None:
        self._last.value = (anchor, key, answer)


class Recommender:
    """Scores hosts against one catalogue with one model."""

    def __init__(
        self,
        model: RadarModel,
        catalogue: ProductVectors,
        *,
        defaults: BusinessFilters | None = None,
        heat: np.ndarray | None = None,
        weights: ProposalWeights | None = None,
    ) -> None:
        """`defaults`: the filters every list gets unless a request sets its own (settings'
        filters; out-of-stock products are left out by default where the catalogue has
        stock); `heat`: each product's market heat (`radar.matching.proposal`; 0.5, steady,
        without one); `weights`: the proposal score's."""
        self.model = model
        self.catalogue = catalogue
        self.product_vectors = product_vectors(catalogue.side())
        self._roots = self.product_vectors[:, : catalogue.matrix.shape[1]]  # √topics, a view
        catalogue.keep_roots(self._roots)  # instead of a copy of the same values
        # what block scoring reads, converted once (forked workers share it)
        self._block_vectors = self.product_vectors.astype(np.float32)
        self._column_bounds = np.abs(self._block_vectors).max(axis=0, initial=0.0)
        # how common each word is in the catalogue: reasons quote a product's rare words
        # (counted here, before the batch forks its workers)
        self.keyword_rarity = KeywordRarity.of_catalogue(catalogue.tokens)
        self._has_stock = any(product.stock is not None for product in catalogue.products)
        # the filters, vectorised
        self.columns = CatalogueColumns.of(catalogue.products, rows=catalogue.index)
        # and the rows they keep (and their vectors), for a while
        self.passing = PassingRows(self.columns, vectors=self._block_vectors)
        self._last_rough = LastAnswer()
        self._last_passing = LastAnswer()
        self.default_filters = (defaults or BusinessFilters()).resolved(
            in_stock_default=self._has_stock
        )
        count = len(catalogue.products)
        self.heat = np.full(count, 0.5) if heat is None else np.asarray(heat, dtype=float)
        self.profit = profit_scores([product.margin for product in catalogue.products])
        self.weights = weights or ProposalWeights()

    def filters_for(self, filters: BusinessFilters | None) -> BusinessFilters:
        """A request's filters on top of the defaults (each field it sets replaces the
        default's), resolved."""
        if filters is None:
            return self.default_filters
        return filters.within(self.default_filters).resolved(in_stock_default=self._has_stock)

    def host_side(self, profile: HostProfile, history: Sequence[Outcome]) -> HostSide:
        """The host as the fit sees it."""
        return host_side(profile, self.catalogue, history, peers=self.model.peers)

    def _host_sides(self, hosts: Sequence[HostInput]) -> list[HostSide]:
        """`host_side` of many hosts, their peers looked up together."""
        peers = self.model.peers
        found = (
            peers.peer_vectors_many(
                [peers.key(h.profile) for h in hosts], [h.profile.streamer_id for h in hosts]
            )
            if peers is not None
            else [None] * len(hosts)
        )
        return [
            host_side(h.profile, self.catalogue, h.history, peers=peers, peer_vectors=vectors)
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
        rank_by: str = "fit",
        keep_top_k: int = 0,
        head: KnownHead | None = None,
    ) -> HostRecommendations:
        """The host's ranked list with reasons; empty with `insufficient_data` when the host
        has too little text to profile. `head`: the host's list made before from the same
        profile and placements, whose items this list's first ones may be
        (`HostRecommendations.known`)."""
        host = HostInput(profile, history, placed)
        return self.recommend_many(
            [host],
            top_k=top_k,
            min_fit=min_fit,
            filters=filters,
            rank_by=rank_by,
            keep_top_k=keep_top_k,
            heads=[head],
        )[0]

    def recommend_many(
        self,
        hosts: Sequence[HostInput],
        *,
        top_k: int = 10,
        min_fit: float,
        filters: BusinessFilters | None = None,
        rank_by: str = "fit",
        engine: BlockMapper = map_blocks,
        keep_top_k: int = 0,
        heads: Sequence[KnownHead | None] = (),
    ) -> list[HostRecommendations]:
        """Lists for many hosts, scored in blocks of hosts (one matrix product each) by
        `engine`; `filters` on top of `default_filters` (`filters_for`); ranked by fit, or
        with `rank_by="proposal"` by the proposal score among the products at or above
        `min_fit`. A host with no product at the cut gets the closest ones below it, each
        marked `below_cut` (state `below_cut`). With `keep_top_k`, each list also keeps the
        host's best rows for requests of up to that many products (`candidates`, for
        `recommend_from`) and itself as a known head (`head`); `heads`: each host's known
        head, if any (`recommend`)."""
        if rank_by not in RANK_BY:
            raise ValueError(f"rank_by is one of {', '.join(RANK_BY)}, got {rank_by!r}")
        filters = self.filters_for(filters)
        results = [
            HostRecommendations(h.profile.streamer_id, h.profile.state, min_fit) for h in hosts
        ]
        ready = [i for i, h in enumerate(hosts) if h.profile.ready]
        if not ready:
            return results
        sides = self._host_sides([hosts[i] for i in ready])
        vectors = np.vstack([self.model.fit.host_vector(side) for side in sides])
        per_host = max(candidates_needed(top_k, len(hosts[i].placed)) for i in ready)
        kept = [candidates_needed(keep_top_k, len(hosts[i].placed)) + BAND_ROWS for i in ready]
        blocks = [
            vectors[start : start + BLOCK_HOSTS] for start in range(0, len(ready), BLOCK_HOSTS)
        ]
        scored = engine(
            blocks,
            self._block_vectors,
            per_host=max([per_host, *kept] if keep_top_k else [per_host]),
        )
        # only the candidates' rows: their float32 scores are recomputed exactly in `_rank`
        rows = np.vstack([block_rows for block_rows, _ in scored])
        scores = np.vstack([block_scores for _, block_scores in scored]) if keep_top_k else None
        for position, index in enumerate(ready):
            host_rows, has_history = rows[position], sides[position].has_history
            if scores is not None:
                order = np.argsort(-scores[position], kind="stable")
                host_rows = host_rows[order]
                results[index].candidates = CandidateSet(
                    fingerprint(hosts[index].profile, hosts[index].history),
                    vectors[position],
                    has_history,
                    host_rows[: kept[position]].astype(np.int32),
                    scores[position][order][: kept[position]].astype(np.float32),
                    score_slack(vectors[position], self._column_bounds),
                    sides[position].peers_quiet,
                )
                host_rows = host_rows[:per_host]
            reason = self._no_fitting_category(
                hosts[index], host_rows, vectors[position], sides[position]
            )
            if reason is not None:
                results[index].state, results[index].reason = NO_FITTING_CATEGORY, reason
                continue
            ranking = partial(self._rank, host_rows, vectors[position], has_history, hosts[index])
            head = heads[index] if heads else None
            ask = Ask(top_k, min_fit, filters, rank_by)
            if not keep_top_k:
                self._fill(results[index], hosts[index], ranking, ask, head)
                continue
            # the lines its reasons looked up are kept with the list's head, for later requests
            evidence = Evidence(hosts[index].profile.evidence)
            self._fill(results[index], hosts[index], ranking, ask, head, evidence)
            results[index].head = self._as_head(results[index], hosts[index], evidence)
        return results

    def recommend_from(
        self,
        host: HostInput,
        candidates: CandidateSet,
        *,
        top_k: int = 10,
        min_fit: float,
        filters: BusinessFilters | None = None,
        rank_by: str = "fit",
        head: KnownHead | None = None,
    ) -> HostRecommendations | None:
        """`recommend` for a host whose best rows were kept (`keep_top_k`) from the same
        profile and placements (the caller checks `candidates.fingerprint`, and `head`'s,
        a `recommend` head): the same list, ranked among the kept rows instead of reading
        the catalogue; None when they cannot tell (a larger `top_k` than kept for, or an
        answer that depends on rows whose float32 scores sit too close to the cut)."""
        if rank_by not in RANK_BY:
            raise ValueError(f"rank_by is one of {', '.join(RANK_BY)}, got {rank_by!r}")
        filters = self.filters_for(filters)
        profile = host.profile
        result = HostRecommendations(profile.streamer_id, profile.state, min_fit)
        if not profile.ready:
            return result
        per_host = candidates_needed(top_k, len(host.placed))
        band = candidates.band(per_host, len(self.catalogue.products))
        if band is None or band[0] == 0:
            return None
        sure, end = band
        rows = candidates.rows[:end].astype(np.intp)
        # the reason holds for every cut between the sure rows and the whole band, or not
        vector, has_history = candidates.vector, candidates.has_history
        cuts = (sure, len(rows))
        quiet = candidates.peers_quiet
        under_sure, under_band = self._under_floors(host, rows, vector, has_history, cuts, quiet)
        if under_sure != under_band:
            return None
        if under_sure:
            reason = self._no_fitting_reason(profile, peers_quiet=quiet)
            result.state, result.reason = NO_FITTING_CATEGORY, reason
            return result
        ranking = partial(self._rank_kept, candidates, rows, sure, per_host, host)
        filled = self._fill(result, host, ranking, Ask(top_k, min_fit, filters, rank_by), head)
        return result if filled else None

    def _fill(
        self,
        result: HostRecommendations,
        host: HostInput,
        ranking: Callable[[Ask], list[tuple[int, float]] | None],
        ask: Ask,
        head: KnownHead | None = None,
        evidence: Evidence | None = None,
    ) -> bool:
        """`result`'s items from `ranking` (the chosen rows and fits for `ask`, or None when
        it cannot tell); the closest products below the cut when none reaches it; those
        after the part of `head` they share, if any (`evidence`: the host's lines, searched
        by the reasons, as `_items` takes them). False when `ranking` could not tell."""
        chosen = ranking(ask)
        if chosen is None:
            return False
        below_cut = not chosen
        if below_cut:
            chosen = ranking(Ask(min(ask.top_k, BELOW_CUT_ITEMS), 0.0, ask.filters, "fit"))
            if chosen is None:
                return False
            if chosen:
                result.state = BELOW_CUT
                result.reason = below_cut_reason(
                    ask.min_fit, len(chosen), filtered=ask.filters != self.default_filters
                )
        result.known, result.items = self._items(
            host, chosen, below_cut=below_cut, head=head, evidence=evidence
        )
        return True

    def _no_fitting_category(
        self, host: HostInput, rows: np.ndarray, vector: np.ndarray, side: HostSide
    ) -> str | None:
        """Why the host gets no list when its best candidates `rows` fall under the model's
        floors, or its peers convert too little (`_under_floors`); else None."""
        quiet = side.peers_quiet
        (under,) = self._under_floors(host, rows, vector, side.has_history, (len(rows),), quiet)
        return self._no_fitting_reason(host.profile, peers_quiet=quiet) if under else None

    def _under_floors(
        self,
        host: HostInput,
        rows: np.ndarray,
        vector: np.ndarray,
        has_history: bool,
        cuts: tuple[int, ...],
        peers_quiet: bool = False,
    ) -> tuple[bool, ...]:
        """For each cut, whether the host's best candidates `rows[:cut]` fall under either of
        the model's floors: their topic affinity (what converting placements never fell
        under) or their score (what most converting placements reached; not for a host
        whose own placements convert as hosts that fit do). Every cut, for a new host whose
        peers convert too little (`HostSide.peers_quiet`). Scores and affinities are worked
        out once for every cut."""
        fit, profile = self.model.fit, host.profile
        if profile.combined is None:
            return tuple(False for _ in cuts)
        if peers_quiet:
            return tuple(True for _ in cuts)
        scores = self.product_vectors[rows] @ vector
        converts = bool(host.history) and (
            np.mean([o.converted for o in host.history]) >= fit.fitting_rate_
        )
        score_floor = fit.score_floor(has_history=has_history)
        floor = fit.affinity_floor_
        host_roots = np.sqrt(np.clip(profile.combined, 0.0, None))
        affinity = self._roots[rows] @ host_roots if floor > 0 else None

        def best(values: np.ndarray, cut: int) -> float:
            return float(np.sort(values[:cut])[-BEST_PRODUCTS:].mean())

        return tuple(
            (not converts and best(scores, cut) < score_floor)
            or (affinity is not None and best(affinity, cut) < floor)
            for cut in cuts
        )

    def _no_fitting_reason(self, profile: HostProfile, *, peers_quiet: bool = False) -> str:
        """The reason, in Chinese, naming the host's two heaviest topics (and, when that is
        why, that hosts like it seldom convert)."""
        labels = self.model.topics.topic_labels_
        topics = np.argsort(-np.asarray(profile.combined), kind="stable")[:2]
        about = "、".join(labels[topic] for topic in topics)
        if peers_quiet:
            return f"与该主播内容相近（{about}）的主播，在货盘各品类上都很少成交，暂不推荐"
        return f"粉丝和直播关注的内容（{about}）与货盘中的品类都不相近，暂不推荐"

    def _rank(
        self,
        rows: np.ndarray,
        vector: np.ndarray,
        has_history: bool,
        host: HostInput,
        ask: Ask,
    ) -> list[tuple[int, float]]:
        """Rank the candidates; rank the whole catalogue instead when the list is ranked by
        proposal score, or when filters used the candidates up while more products may
        reach `min_fit`."""
        if ask.rank_by == "fit":
            fits, chosen = self._ranked_rows(rows, vector, has_history, host, ask)
            exhausted = len(rows) < len(self.catalogue.products) and fits.min() >= ask.min_fit
            if len(chosen) == ask.top_k or not exhausted:
                return [(int(rows[i]), float(fits[i])) for i in chosen]
        return self._rank_catalogue(vector, has_history, host, ask)

    def _rank_kept(
        self,
        candidates: CandidateSet,
        rows: np.ndarray,
        sure: int,
        per_host: int,
        host: HostInput,
        ask: Ask,
    ) -> list[tuple[int, float]] | None:
        """`_rank` of the host's best `per_host` rows by float32 score, whichever of `rows`
        made that cut besides the first `sure` (the rows after those sit in the band around
        the cut, `CandidateSet.band`); None when the answer depends on which did. When the
        filters use up rows that all reach the cut, all the kept rows are ranked before the
        whole catalogue is: any row they leave out ranks below each of their sure rows. A
        request's own filters that leave fewer than `top_k` of all the kept rows (fewer than
        the catalogue), the last of them at or above the cut, go to the whole catalogue at
        once: the kept rows cannot tell, and ranking them first would be thrown away."""
        vector, has_history = candidates.vector, candidates.has_history
        if ask.rank_by != "fit" or (
            ask.filters != self.default_filters and self._kept_fall_short(candidates, host, ask)
        ):
            return self._rank_catalogue(vector, has_history, host, ask)
        passing = self._kept_passing(candidates, host, ask.filters)[: len(rows)]
        fits, chosen = self._ranked_rows(rows, vector, has_history, host, ask, passing)
        # a row of the band chosen may not be a candidate; one passed over changes nothing
        if any(i >= sure for i in chosen):
            return None
        catalogue_size = len(self.catalogue.products)
        if len(chosen) < ask.top_k and per_host < catalogue_size:
            # did the filters use up candidates that all reach the cut (`_rank`'s exhausted)?
            if fits.min() >= ask.min_fit:
                kept = len(candidates.rows)  # for `keep_top_k`, or the whole catalogue
                widest = kept if kept == catalogue_size else kept - BAND_ROWS
                band = candidates.band(widest, catalogue_size) if widest > per_host else None
                if band is not None and band[0] > 0:
                    wider = candidates.rows[: band[1]].astype(np.intp)
                    whole = widest == catalogue_size  # ranks as the catalogue would
                    if whole or self._may_fill(len(wider), candidates, host, ask):
                        return self._rank_kept(candidates, wider, band[0], widest, host, ask)
                return self._rank_catalogue(vector, has_history, host, ask)
            if fits[:sure].min() >= ask.min_fit:
                return None  # depends on the band's rows below the cut
        return [(int(rows[i]), float(fits[i])) for i in chosen]

    def _kept_fall_short(self, candidates: CandidateSet, host: HostInput, ask: Ask) -> bool:
        """Whether fewer than `top_k` of all the kept rows (fewer than the catalogue) pass
        the filters, the last of them at or above the cut (`_may_fill` false): then the
        kept rows cannot answer."""
        if len(candidates.rows) >= len(self.catalogue.products):
            return False
        passing = int(np.count_nonzero(self._kept_passing(candidates, host, ask.filters)))
        if passing >= ask.top_k:
            return False
        if ask.min_fit <= 0.0:
            return True  # no fit is below 0
        fit = self._shown(
            self.product_vectors[candidates.rows[-1:]] @ candidates.vector, candidates.has_history
        )
        return bool(fit[0] >= ask.min_fit)

    def _may_fill(self, count: int, candidates: CandidateSet, host: HostInput, ask: Ask) -> bool:
        """Whether ranking the first `count` kept rows may answer (hold `top_k` rows the
        filters pass, or reach below the cut at their last), rather than use them up too."""
        passing = self._kept_passing(candidates, host, ask.filters)[:count]
        if np.count_nonzero(passing) >= ask.top_k:
            return True
        last = self.product_vectors[candidates.rows[count - 1 : count]] @ candidates.vector
        return bool(self._shown(last, candidates.has_history)[0] < ask.min_fit)

    def _kept_passing(
        self, candidates: CandidateSet, host: HostInput, filters: BusinessFilters
    ) -> np.ndarray:
        """Which of the host's kept rows pass the filters (all but the category cap), kept
        for the thread's next call with the same rows, filters and placed products: the
        kept rows are counted and then ranked, and a list below the cut asks twice."""
        key = (filters, host.placed)
        passing: np.ndarray | None = self._last_passing.get(candidates, key)
        if passing is None:
            rows = candidates.rows.astype(np.intp)
            passing = self.columns.passing(filters, host.placed, rows)
            self._last_passing.keep(candidates, key, passing)
        return passing

    def _ranked_rows(
        self,
        rows: np.ndarray,
        vector: np.ndarray,
        has_history: bool,
        host: HostInput,
        ask: Ask,
        passing: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[int]]:
        """These rows' shown fits, and the positions `rank_products` chooses among them
        (fits that tie as shown in the order of the model's scores), as `rank_rows` does
        (`passing`: which rows pass the filters, when known)."""
        scores = self.product_vectors[rows] @ vector
        fits = self._shown(scores, has_history)
        chosen = rank_rows(
            rows,
            fits,
            scores,
            self.columns,
            top_k=ask.top_k,
            min_fit=ask.min_fit,
            placed=host.placed,
            filters=ask.filters,
            passing=passing,
        )
        return fits, chosen

    def _rank_catalogue(
        self,
        vector: np.ndarray,
        has_history: bool,
        host: HostInput,
        ask: Ask,
    ) -> list[tuple[int, float]]:
        """Rank the whole catalogue (what `_rank` falls back on)."""
        top_k, min_fit, filters, rank_by = ask
        # every product scored in float32 (half the memory to read), those near or above
        # the cut scored again exactly: the fits ranked are the ones every path shows
        passing, rough = self._rough_scores(vector, filters, host.placed)
        near = passing[self._near(rough, has_history, ask)]
        if not len(near):
            return []  # none within reach (a list below the cut, asked at the cut)
        scores = self.product_vectors[near] @ vector
        fits = self._shown(scores, has_history)
        order_by = None
        if rank_by == "proposal":
            order_by = self._proposal_scores(host.profile, near)
        # only the rows within reach: arrays the size of the catalogue, made and dropped per
        # request, cost more than ranking (the allocator maps and faults in their pages)
        chosen = rank_passing(
            near,
            fits,
            self.columns,
            top_k=top_k,
            min_fit=min_fit,
            filters=filters,
            order_by=order_by,
            scores=scores,
        )
        return [(int(near[at]), float(fits[at])) for at in chosen]

    def _rough_scores(
        self, vector: np.ndarray, filters: BusinessFilters, placed: Collection[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows the filters keep for a host and their float32 scores; the last ones a
        thread worked out are kept for its next call with the same vector, filters and
        placed products (a list below the cut ranks the catalogue twice)."""
        key = (filters, placed)
        last = self._last_rough.get(vector, key)
        if last is not None:
            return last
        passing, scores = self.passing.scored(filters, placed, vector.astype(np.float32))
        self._last_rough.keep(vector, key, (passing, scores))
        return passing, scores

    def _near(self, scores: np.ndarray, has_history: bool, ask: Ask) -> np.ndarray:
        """Where the rows within reach of the answer sit among these float32 `scores`
        (ascending): their fits at least NEAR_CUT under the cut and, ranked by fit alone,
        at least three times NEAR_CUT under the `top_k`-th best fit (twice NEAR_CUT, and
        the rounding of the fits shown). The curve from score to fit rises with the score:
        no row is within reach when the best score's fit is not (a list below the cut),
        the `top_k`-th best fit is that of the `top_k`-th best score, and only the
        `NEAR_ROWS` best-scored rows are mapped to fits when the reach ends among them
        (every row when it does not)."""
        top_k, min_fit, filters, rank_by = ask
        count = len(scores)
        to_fits = partial(self.model.fit.fits_from_scores, has_history=has_history)
        by_kth = rank_by == "fit" and filters.max_per_category is None and top_k < count
        reach = min_fit - NEAR_CUT
        # no fit is below 0: a reach at or under 0 takes in the best score's fit unasked
        if not count or (reach > 0 and to_fits(scores.max(keepdims=True))[0] < reach):
            return np.zeros(0, dtype=np.intp)
        head = max(NEAR_ROWS, 2 * top_k)
        if head >= count:
            rough = to_fits(scores)
            if by_kth:
                kth = np.partition(rough, count - top_k)[count - top_k]
                reach = max(reach, kth - 3 * NEAR_CUT)
            return np.flatnonzero(rough >= reach)
        places = [count - head, count - top_k] if by_kth else [count - head]
        parted = np.partition(scores, places)
        # rows scored above the head's last, mapped with the bounds in one pass
        best = np.flatnonzero(scores > parted[count - head])
        fits = to_fits(np.concatenate([parted[places], scores[best]]))
        if by_kth:
            reach = max(reach, fits[1] - 3 * NEAR_CUT)
        if fits[0] >= reach:  # the reach goes past the best-scored rows: map them all
            return np.flatnonzero(to_fits(scores) >= reach)
        # a row scored at most the head's last is under reach, as the curve rises
        return best[fits[len(places) :] >= reach]

    def _fan_demand(self, profile: HostProfile, rows: np.ndarray) -> np.ndarray:
        """粉丝需求 of these catalogue rows: the fans' profile, the host's whole profile
        where the fans have said nothing."""
        fans = profile.fans if profile.fans is not None and profile.fans_tokens else None
        topics = fans if fans is not None else profile.combined
        if topics is None:
            return np.zeros(len(rows))
        return fan_demand_scores(topics, self._roots[rows])

    def _proposal_scores(self, profile: HostProfile, rows: np.ndarray) -> np.ndarray:
        return self.weights.score(
            self.heat[rows], self._fan_demand(profile, rows), self.profit[rows]
        )

    def proposal_parts(
        self, profile: HostProfile, rows: list[int], *, heat: np.ndarray | None = None
    ) -> list[ProposalParts]:
        """The proposal score and its parts of these catalogue rows for this host (`heat`:
        the market heat read for the whole list, by default the recommender's)."""
        at = np.asarray(rows, dtype=int)
        heat, profit = (self.heat if heat is None else heat)[at], self.profit[at]
        demand = self._fan_demand(profile, at)
        scores = self.weights.score(heat, demand, profit)
        parts = [np.asarray(part, dtype=float).tolist() for part in (scores, heat, demand, profit)]
        places = PART_DECIMALS
        return [  # each part rounded by name: a generator per product cost a third of this
            ProposalParts(round(s, places), round(h, places), round(d, places), round(p, places))
            for s, h, d, p in zip(*parts, strict=True)
        ]

    def _shown(self, scores: np.ndarray, has_history: bool) -> np.ndarray:
        """The shown fits of these scores (ranked and cut as shown: a list can be cut at
        any `min_fit`)."""
        return shown_fits(self.model.fit.fits_from_scores(scores, has_history=has_history))

    def _items(
        self,
        host: HostInput,
        chosen: list[tuple[int, float]],
        *,
        below_cut: bool = False,
        head: KnownHead | None = None,
        evidence: Evidence | None = None,
    ) -> tuple[int, list[Recommendation]]:
        """The items of the `chosen` rows and fits, in order; with a known `head`, only
        those after the part of it they share, and how many that part holds. `evidence`:
        the host's lines to quote (by default made here, taking the lines the head's
        reasons looked up, when they were looked up in the same lines)."""
        profile = host.profile
        if profile.combined is None or not chosen:
            return 0, []
        heat = self.heat  # one reading: the refresher may renew it meanwhile
        if evidence is None:
            found = (
                None
                if head is None
                else head.quotes.lines_found(profile.keywords, profile.evidence)
            )
            evidence = Evidence(profile.evidence, found=found)
        known, after = 0, None
        if head is not None and head.below_cut == below_cut and head.heat is heat:
            known = _shared(chosen, head)
            after = head.quotes.head(known, profile.keywords, evidence.lines)
        if after is None:
            known, after = 0, NOTHING_QUOTED
        chosen = chosen[known:]
        rows = [row for row, _ in chosen]
        if not rows:
            return known, []
        reasons = explain(
            profile.combined,
            self.catalogue.matrix[rows],
            labels=self.model.topics.topic_labels_,
            product_tokens=[self.catalogue.tokens[row] for row in rows],
            host_keywords=profile.keywords,
            evidence=evidence,
            rarity=self.keyword_rarity,
            product_categories=[self.catalogue.products[row].category for row in rows],
            after=after,
        )
        calibrated = self.model.fit.calibrated
        parts = self.proposal_parts(profile, rows, heat=heat)
        items = []
        for rank, ((row, fit), why, proposal) in enumerate(
            zip(chosen, reasons, parts, strict=True), start=known + 1
        ):
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
                    proposal,
                    below_cut,
                )
            )
        return known, items

    def _as_head(
        self, result: HostRecommendations, host: HostInput, evidence: Evidence
    ) -> KnownHead | None:
        """`result` as a known head for later requests of the same host (None without
        items; its host's kept rows say which profile and placements it was made from),
        with the lines its reasons looked up in `evidence`."""
        kept = result.candidates
        if not result.items or kept is None:
            return None
        index, profile = self.catalogue.index, host.profile
        return KnownHead(
            kept.fingerprint,
            tuple(index[item.product_id] for item in result.items),
            tuple(item.fit for item in result.items),
            result.items[0].below_cut,
            self.heat,
            QuoteTrail(
                [item.reasons.quoted for item in result.items],
                profile.keywords,
                profile.evidence,
                evidence.found(),
            ),
        )


def _shared(chosen: list[tuple[int, float]], head: KnownHead) -> int:
    """How many of the chosen rows and fits are the head's first ones."""
    shared = 0
    for (row, fit), known_row, known_fit in zip(chosen, head.rows, head.fits, strict=False):
        if row != known_row or fit != known_fit:
            break
        shared += 1
    return shared


def below_cut_reason(min_fit: float, count: int, *, filtered: bool) -> str:
    """Why a list holds only products below the cut, in Chinese."""
    where = "在当前筛选条件下，" if filtered else ""
    return f"{where}没有商品达到匹配度阈值 {min_fit:.0%}：以下是最接近的 {count} 个商品，仅供参考"
