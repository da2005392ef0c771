"""Block scoring keeps exactly each host's best products, however its scores fall."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.matching.scoring import top_candidates


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 6),
    st.integers(1, 3_000),
    st.integers(1, 200),
    st.sampled_from(["spread", "ties", "one high"]),
)
def test_the_kept_scores_are_the_best_ones(
    seed: int, hosts: int, products: int, keep: int, shape: str
) -> None:
    rng = np.random.default_rng(seed)
    host_vectors = rng.random((hosts, 5))
    product_vectors = rng.random((products, 5))
    if shape == "ties":
        product_vectors = np.round(product_vectors, 1)
    elif shape == "one high":
        product_vectors[rng.integers(products)] *= 50
    rows, scores = top_candidates(host_vectors, product_vectors, per_host=keep)
    full = host_vectors.astype(np.float32) @ product_vectors.astype(np.float32).T
    kept = min(keep, products)
    assert rows.shape == scores.shape == (hosts, kept)
    for host in range(hosts):
        assert len(set(rows[host].tolist())) == kept
        best = np.sort(full[host])[::-1][:kept]
        assert np.array_equal(np.sort(full[host, rows[host]])[::-1], best)
        assert np.array_equal(scores[host], full[host, rows[host]].astype(np.float64))
