"""Scoring blocks of hosts against the whole catalogue: one matrix product per block,
then a partial sort for each host's best candidates. The numpy engine (`map_blocks`)
runs it in process; the Dask engine (`serving.dask_engine`) runs the same function on a
cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Candidates = tuple[np.ndarray, np.ndarray]
BlockMapper = Callable[..., list[Candidates]]
"""`map_blocks`'s signature: (host blocks, product vectors, *, per_host)."""

FLOAT32_UNIT = 2.0**-24
"""The unit roundoff of float32."""
CANDIDATE_FLOOR = 64
SAMPLE_STRIDE = 64
PREFILTER_MARGIN = 4


def float32_gamma(terms: int) -> float:
    """γₙ = nu/(1 − nu) of float32: a sum of `terms` rounded products is within γₙ·Σ|xᵢyᵢ|
    of the exact one, whatever the order of summation."""
    units = terms * FLOAT32_UNIT
    return units / (1 - units)


def top_candidates(
    host_vectors: np.ndarray, product_vectors: np.ndarray, *, per_host: int
) -> Candidates:
    """For each host row, the `per_host` product rows with the highest scores (unordered)
    and those scores: two hosts × per_host arrays. Scores are float32.

    A full partial sort of 100,000 scores per host costs more than the matrix product, so
    each host's scores are first cut at a value that a strided sample of them says leaves
    a few times `per_host` products above it; only those are partially sorted (all of
    them when the cut leaves too few: the result is exact either way)."""
    products = np.asarray(product_vectors, dtype=np.float32)
    scores = np.asarray(host_vectors, dtype=np.float32) @ products.T
    keep = min(per_host, scores.shape[1])
    if keep == scores.shape[1]:
        rows = np.broadcast_to(np.arange(keep), scores.shape).copy()
        return rows, scores.astype(np.float64)
    cuts = _cuts(scores, keep)
    rows = np.empty((scores.shape[0], keep), dtype=np.int64)
    for host, (row_scores, cut) in enumerate(zip(scores, cuts, strict=True)):
        above = np.flatnonzero(row_scores >= cut)
        if above.size < keep:
            above = np.arange(row_scores.size)
        rows[host] = above[np.argpartition(row_scores[above], -keep)[-keep:]]
    return rows, np.take_along_axis(scores, rows, axis=1).astype(np.float64)


def kth_largest(values: np.ndarray, k: int) -> float:
    """The `k`-th largest of `values` (1 ≤ k < len), partially sorting only the values
    above the cut a strided sample of them gives (`_cuts`)."""
    cut = _cuts(values[np.newaxis, :], k)[0]
    above = values[values >= cut]
    if above.size < k:
        above = values
    return float(np.partition(above, above.size - k)[above.size - k])


def _cuts(scores: np.ndarray, keep: int) -> np.ndarray:
    """Per host, a score that about `PREFILTER_MARGIN` × `keep` of its products reach,
    read off every `SAMPLE_STRIDE`-th product."""
    sample = scores[:, ::SAMPLE_STRIDE]
    rank = min(sample.shape[1] - 1, PREFILTER_MARGIN * keep // SAMPLE_STRIDE + 1)
    return -np.partition(-sample, rank, axis=1)[:, rank]


def candidates_needed(top_k: int, placed: int) -> int:
    """How many candidates to keep so that filters and placed products can be skipped."""
    return max(CANDIDATE_FLOOR, 4 * top_k + placed)


def map_blocks(
    blocks: Sequence[np.ndarray],
    product_vectors: np.ndarray,
    *,
    per_host: int,
) -> list[Candidates]:
    """`top_candidates` for each block of host vectors, in this process."""
    products = np.asarray(product_vectors, dtype=np.float32)  # converted once, not per block
    return [top_candidates(block, products, per_host=per_host) for block in blocks]
