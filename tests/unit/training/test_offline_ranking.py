"""The offline evaluation ranks each held-out product once per host: a product placed twice
(a list followed twice) is one candidate, so NDCG stays within [0, 1]."""

import numpy as np

from radar.metrics import ndcg_at_k, precision_at_k
from training.offline import rank_candidates


def test_a_product_placed_twice_is_ranked_once() -> None:
    products = ["a", "b", "a", "c"]
    fits = np.array([0.9, 0.5, 0.9, 0.7])
    assert rank_candidates(products, fits) == ["a", "c", "b"]


def test_ndcg_of_a_host_whose_converted_product_was_placed_twice_is_at_most_one() -> None:
    ranked = {"h": rank_candidates(["a", "a", "b"], np.array([0.8, 0.8, 0.3]))}
    truth = {"h": {"a"}}
    assert ndcg_at_k(truth, ranked, k=5) == 1.0
    assert precision_at_k(truth, ranked, k=5) == 0.2
