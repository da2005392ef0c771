"""Free texts read a large catalogue in groups of near topics: the groups left unread
never hold one of the best rows, so the answer is the full sort's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.matching.products import GROUPED_ROWS, ProductText, ProductVectors, closest_to_topics
from radar.matching.topic_groups import TopicGroups


def _catalogue(
    rng: np.random.Generator, rows: int, topics: int, kinds: int, *, spread: float = 0.1
) -> np.ndarray:
    """Products near a few kinds' topic distributions (as products shrunk towards their
    category's mean are), up to `spread` of each its own, some of them exact copies
    (ties)."""
    kinds_topics = rng.dirichlet(np.full(topics, 0.3), size=kinds)
    own = rng.dirichlet(np.full(topics, 0.3), size=rows)
    share = rng.uniform(0.0, spread, size=(rows, 1))
    matrix = (1 - share) * kinds_topics[rng.integers(0, kinds, size=rows)] + share * own
    matrix[::7] = matrix[0]
    return matrix


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1), st.integers(2, 300), st.booleans())
def test_every_row_as_good_as_the_kth_best_is_read(
    top_k: int, seed: int, groups: int, like_a_row: bool
) -> None:
    """Whatever the grouping, and for texts like one product (often far from its group's
    centre) as for any other."""
    rng = np.random.default_rng(seed)
    matrix = _catalogue(rng, 2_000, 12, 9, spread=0.6)
    roots = np.sqrt(matrix)
    grouped = TopicGroups.of(roots, groups=groups, seed=seed % 7)
    topics = matrix[rng.integers(0, len(matrix))] if like_a_row else rng.dirichlet(np.ones(12))
    query = np.sqrt(topics)
    exact = roots @ query
    kth = np.sort(exact)[-top_k]
    rows, rough = grouped.rough_best(query, top_k=top_k, reach=1e-5)
    assert set(np.flatnonzero(exact >= kth)) <= set(rows.tolist())
    assert np.allclose(rough, exact[rows], atol=1e-5)
    assert len(set(rows.tolist())) == len(rows)


def test_a_large_catalogue_answers_as_the_full_sort_reading_a_part_of_it() -> None:
    rng = np.random.default_rng(11)
    count = GROUPED_ROWS + 500
    matrix = _catalogue(rng, count, 16, 40)
    products = [ProductText(f"p{(i * 7919) % count:06d}", "t") for i in range(count)]
    vectors = ProductVectors(products, matrix, [[] for _ in products])
    roots = np.sqrt(matrix)
    for k in (1, 10, 50):
        query = rng.dirichlet(np.full(16, 0.5))
        affinity = roots @ np.sqrt(query)
        every = sorted(range(count), key=lambda row: (-affinity[row], products[row].product_id))
        expected = [(row, round(float(affinity[row]), 4)) for row in every[:k]]
        assert closest_to_topics(vectors, query, top_k=k) == expected
        read, _ = vectors.topic_groups().rough_best(np.sqrt(query), top_k=k, reach=1e-6)
        assert len(read) < count / 2  # the groups spare most of the catalogue
