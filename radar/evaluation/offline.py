"""Offline evaluation of a radar model on the store's placements, time-based.

The last `holdout_fraction` of placements (by time) are held out; the pair model was
fitted on the earlier ones. Ranking: for each host, its held-out placements are the
candidates, ranked by fit; the relevant ones are those that converted. Reference: the
same candidates ranked by TF-IDF cosine between the host's text and the product's.
Coverage and hosts served come from every host's full-catalogue list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from radar.corpus import Document
from radar.evaluation.metrics import (
    catalogue_coverage,
    expected_calibration_error,
    ndcg_at_k,
    precision_above,
    precision_at_k,
    recall_at_k,
    reliability_table,
    share_of_hosts_served,
)
from radar.matching.calibration import host_side
from radar.matching.data import MatchingData
from radar.matching.fit import pair_features
from radar.matching.history import Outcome
from radar.matching.peers import build_peer_table
from radar.matching.products import ProductVectors
from radar.matching.ranking import rank_products
from radar.model import RadarModel


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
    k: int = 5,
    min_fit: float = 0.8,
) -> EvaluationReport:
    """Ranking, calibration and coverage figures of `model` (see the module docstring)."""
    catalogue, profiles = data.catalogue, data.profiles
    ordered = sorted(data.outcomes, key=lambda o: (o.started_at, o.streamer_id, o.product_id))
    ordered = [o for o in ordered if o.product_id in catalogue.index]
    cut = int(len(ordered) * (1 - holdout_fraction))
    history, holdout = ordered[:cut], ordered[cut:]
    by_host: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in history:
        by_host[outcome.streamer_id].append(outcome)
    peers = build_peer_table(profiles, history, catalogue)  # what was known before the cut
    candidates: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in holdout:
        candidates[outcome.streamer_id].append(outcome)

    products = catalogue.side()
    truth, ranked, tfidf_ranked = {}, {}, {}
    y_true, y_prob = [], []
    tfidf = TfidfReference(model, catalogue, data.host_documents)
    for host, rows in candidates.items():
        side = host_side(profiles.get(host), catalogue, by_host[host], peers=peers)
        product_rows = [catalogue.index[o.product_id] for o in rows]
        fits = model.fit.predict(pair_features(side, products.rows(product_rows)))
        y_true += [o.converted for o in rows]
        y_prob += fits.tolist()
        truth[host] = {o.product_id for o in rows if o.converted}
        ranked[host] = _by_score([o.product_id for o in rows], fits)
        tfidf_ranked[host] = _by_score(
            [o.product_id for o in rows], tfidf.scores(host, product_rows)
        )

    full_lists, best_fits = {}, {}
    for host, profile in profiles.items():
        if not profile.ready:
            continue
        side = host_side(profile, catalogue, by_host[host], peers=peers)
        fits = model.fit.predict(pair_features(side, products))
        best_fits[host] = [float(fits.max())] if len(fits) else []
        chosen = rank_products(fits, catalogue.products, top_k=k, min_fit=min_fit)
        full_lists[host] = [catalogue.products[row].product_id for row in chosen]

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
        metrics["precision_at_min_fit"] = precision_above(y_true, y_prob, threshold=min_fit)
    return EvaluationReport(
        k=k,
        min_fit=min_fit,
        calibrated=model.fit.calibrated,
        holdout_placements=len(holdout),
        hosts_evaluated=len(candidates),
        metrics=metrics,
        reliability=reliability_table(y_true, y_prob) if y_true else [],
    )


def _by_score(items: list[str], scores: np.ndarray) -> list[str]:
    order = sorted(range(len(items)), key=lambda i: (-scores[i], items[i]))
    return [items[i] for i in order]


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
