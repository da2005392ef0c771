"""The products closest to a free text's topics: only the best rows are sorted, with the
same answer as sorting them all (ties broken by product id)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.matching.products import NORM_ROWS, ProductText, ProductVectors, closest_to_topics


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1), st.booleans())
def test_the_best_rows_equal_a_full_sort(top_k: int, seed: int, tied: bool) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.dirichlet(np.full(4, 0.5), size=30)
    if tied:  # many equal affinities, across the cut
        matrix[::3] = matrix[0]
    products = [ProductText(f"p{(i * 7) % 30:03d}", "t") for i in range(30)]
    vectors = ProductVectors(products, matrix, [[] for _ in products])
    topics = rng.dirichlet(np.full(4, 0.5))
    affinity = np.sqrt(matrix) @ np.sqrt(topics)
    every = sorted(range(30), key=lambda row: (-affinity[row], products[row].product_id))
    expected = [(row, round(float(affinity[row]), 4)) for row in every[:top_k]]
    assert closest_to_topics(vectors, topics, top_k=top_k) == expected


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**31 - 1))
def test_rows_float32_cannot_tell_apart_are_ranked_exactly(top_k: int, seed: int) -> None:
    """A catalogue of near-copies (affinities a float32 pass cannot separate), large enough
    for the strided sample: still the full sort's answer."""
    rng = np.random.default_rng(seed)
    base = rng.dirichlet(np.full(8, 0.5), size=5)
    matrix = base[rng.integers(0, 5, size=3000)] * (1 + 1e-7 * rng.random((3000, 8)))
    matrix /= matrix.sum(axis=1, keepdims=True)
    products = [ProductText(f"p{(i * 7919) % 3000:05d}", "t") for i in range(3000)]
    vectors = ProductVectors(products, matrix, [[] for _ in products])
    topics = rng.dirichlet(np.full(8, 0.5))
    affinity = np.sqrt(matrix) @ np.sqrt(topics)
    every = sorted(range(3000), key=lambda row: (-affinity[row], products[row].product_id))
    expected = [row for row in every[:top_k]]
    assert [row for row, _ in closest_to_topics(vectors, topics, top_k=top_k)] == expected


def test_the_rows_largest_norm_is_worked_out_in_parts_as_over_all_rows() -> None:
    """`roots_norm` over a catalogue of several `NORM_ROWS` parts, the largest row last:
    the norm of all rows at once, to the bit."""
    rng = np.random.default_rng(3)
    count = 2 * NORM_ROWS + 17
    matrix = rng.dirichlet(np.full(6, 0.3), size=count)
    matrix[-1] = [4.0, 0, 0, 0, 0, 0]  # the largest norm (2), in the last part
    products = [ProductText(f"p{i:05d}", "t") for i in range(count)]
    vectors = ProductVectors(products, matrix, [[] for _ in products])
    squares = np.sqrt(matrix).astype(np.float32).astype(np.float64) ** 2
    assert vectors.roots_norm() == float(np.sqrt(squares.sum(axis=1)).max()) * (1 + 1e-6)
