"""Offline evaluation of a radar model on the store's placements, time-based.

The last `holdout_fraction` of placements (by time) are held out; the pair model was
fitted on the earlier ones. Ranking: for each host, its held-out placements are the
candidates, ranked by fit; the relevant ones are those that converted. Reference: the
same candidates ranked by TF-IDF cosine between the host's text and the product's.
Calibration is also measured as for new hosts: the same held-out placements scored
without the host's history (`ece_new_hosts`). Coverage and hosts served come from every
host's full-catalogue list. Every fit is the one users would see
(`Recommender.shown_fits`): the recommender's scoring and rounding, and its lists (the
placements known before the cut left out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from features.documents import Document
from radar.matching.history import Outcome, split_by_time
from radar.matching.model import RadarModel
from radar.matching.peers import build_peer_table
from radar.matching.products import ProductVectors
from radar.matching.recommender import HostInput, Recommender
from radar.metrics import (
    catalogue_coverage,
    expected_calibration_error,
    ndcg_at_k,
    precision_above,
    precision_at_k,
    recall_at_k,
    reliability_table,
    share_of_hosts_served,
)
from radar.store.matching_data import MatchingData


@dataclass
class EvaluationReport:
    """The figures of one evaluation."""

    k: int
    min_fit: float
    calibrated: bool
    holdout_placements: int
    hosts_evaluated: int
    metrics: dict[str, float] = field(default_factory=dict)
    reliability: list[tuple[float, float, float, int]] = field(default_factory=list)


def evaluate_model(
    model: RadarModel,
    data: MatchingData,
    *,
    holdout_fraction: float = 0.2,
    min_fit: float,
    k: int = 5,
) -> EvaluationReport:
    """Ranking, calibration and coverage figures of `model` (see the module docstring)."""
    catalogue, profiles = data.catalogue, data.profiles
    history, holdout = split_by_time(
        data.outcomes, catalogue.index, holdout_fraction=holdout_fraction
    )
    by_host: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in history:
        by_host[outcome.streamer_id].append(outcome)
    peers = build_peer_table(profiles, history, catalogue)  # what was known before the cut
    recommender = Recommender(replace(model, peers=peers), catalogue)
    candidates: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in holdout:
        candidates[outcome.streamer_id].append(outcome)

    truth, ranked, tfidf_ranked = {}, {}, {}
    y_true, y_prob, y_prob_new = [], [], []
    tfidf = TfidfReference(model, catalogue, data.host_documents)
    for host, rows in candidates.items():
        profile = profiles.get(host)
        if profile is None:  # not a host of the store: nobody is shown its fits
            continue
        product_rows = [catalogue.index[o.product_id] for o in rows]
        fits = recommender.shown_fits(profile, by_host[host])[product_rows]
        y_true += [o.converted for o in rows]
        y_prob += fits.tolist()
        y_prob_new += recommender.shown_fits(profile, ())[product_rows].tolist()
        truth[host] = {o.product_id for o in rows if o.converted}
        ranked[host] = rank_candidates([o.product_id for o in rows], fits)
        tfidf_ranked[host] = rank_candidates(
            [o.product_id for o in rows], tfidf.scores(host, product_rows)
        )

    hosts = [
        HostInput(profile, by_host[host], {o.product_id for o in by_host[host]})
        for host, profile in profiles.items()
        if profile.ready
    ]
    lists = recommender.recommend_many(hosts, top_k=k, min_fit=min_fit)
    full_lists = {result.streamer_id: [i.product_id for i in result.items] for result in lists}
    best_fits = {
        result.streamer_id: [result.items[0].fit] if result.items else [] for result in lists
    }

    metrics = {
        f"precision_at_{k}": precision_at_k(truth, ranked, k=k),
        f"recall_at_{k}": recall_at_k(truth, ranked, k=k),
        f"ndcg_at_{k}": ndcg_at_k(truth, ranked, k=k),
        f"tfidf_precision_at_{k}": precision_at_k(truth, tfidf_ranked, k=k),
        f"tfidf_ndcg_at_{k}": ndcg_at_k(truth, tfidf_ranked, k=k),
        "catalogue_coverage": catalogue_coverage(
            full_lists, catalogue_size=len(catalogue.products), k=k
        )
        if catalogue.products
        else 0.0,
        "hosts_served_share": share_of_hosts_served(best_fits, threshold=min_fit),
    }
    if y_true:
        metrics["ece"] = expected_calibration_error(y_true, y_prob)
        metrics["ece_new_hosts"] = expected_calibration_error(y_true, y_prob_new)
        metrics["precision_at_min_fit"] = precision_above(y_true, y_prob, threshold=min_fit)
    return EvaluationReport(
        k=k,
        min_fit=min_fit,
        calibrated=model.fit.calibrated,
        holdout_placements=len(holdout),
        hosts_evaluated=len(truth),
        metrics=metrics,
        reliability=reliability_table(y_true, y_prob) if y_true else [],
    )


def rank_candidates(items: list[str], scores: np.ndarray) -> list[str]:
    """`items` by score, best first, each once: a product placed twice (a list followed
    twice) is one candidate, else its hit would count twice and NDCG pass 1."""
    order = sorted(range(len(items)), key=lambda i: (-scores[i], items[i]))
    return list(dict.fromkeys(items[i] for i in order))


class TfidfReference:
    """TF-IDF cosine between a host's text and each product's, on the model's tokens."""

    def __init__(
        self,
        model: RadarModel,
        catalogue: ProductVectors,
        host_documents: dict[str, list[Document]],
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._hosts = list(host_documents)
        host_tokens = [
            [token for doc in model.topics.tokenize(d.text for d in docs) for token in doc]
            for docs in host_documents.values()
        ]
        vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, min_df=1)
        vectorizer.fit([*host_tokens, *catalogue.tokens])
        self._host_matrix = vectorizer.transform(host_tokens)
        self._product_matrix = vectorizer.transform(catalogue.tokens)
        self._row = {host: row for row, host in enumerate(self._hosts)}

    def scores(self, host: str, product_rows: list[int]) -> np.ndarray:
        if host not in self._row:
            return np.zeros(len(product_rows))
        host_vector = self._host_matrix[self._row[host]]
        return np.asarray((self._product_matrix[product_rows] @ host_vector.T).todense()).ravel()
