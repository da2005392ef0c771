"""Scoring blocks of hosts against the whole catalogue: one matrix product per block,
then a partial sort for each host's best candidates. The numpy engine (`map_blocks`)
runs it in process; the Dask engine (`serving.dask_engine`) runs the same function on a
cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Candidates = tuple[np.ndarray, np.ndarray]
BlockMapper = Callable[..., list[Candidates]]
"""`map_blocks`'s signature: (host blocks, product vectors, *, per_host, progress)."""

CANDIDATE_FLOOR = 64
SORT_ROWS = 16


def top_candidates(
    host_vectors: np.ndarray, product_vectors: np.ndarray, *, per_host: int
) -> Candidates:
    """For each host row, the `per_host` product rows with the highest scores (unordered)
    and those scores: two hosts × per_host arrays. Scores are float32; the partial sort
    runs a few rows at a time so that its index arrays stay small."""
    products = np.asarray(product_vectors, dtype=np.float32)
    scores = np.asarray(host_vectors, dtype=np.float32) @ products.T
    keep = min(per_host, scores.shape[1])
    rows = np.empty((scores.shape[0], keep), dtype=np.int64)
    for start in range(0, scores.shape[0], SORT_ROWS):
        part = scores[start : start + SORT_ROWS]
        if keep == scores.shape[1]:
            rows[start : start + SORT_ROWS] = np.arange(keep)
        else:
            rows[start : start + SORT_ROWS] = np.argpartition(part, -keep, axis=1)[:, -keep:]
    return rows, np.take_along_axis(scores, rows, axis=1).astype(np.float64)


def candidates_needed(top_k: int, placed: int) -> int:
    """How many candidates to keep so that filters and placed products can be skipped."""
    return max(CANDIDATE_FLOOR, 4 * top_k + placed)


def map_blocks(
    blocks: Sequence[np.ndarray],
    product_vectors: np.ndarray,
    *,
    per_host: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Candidates]:
    """`top_candidates` for each block of host vectors, in this process."""
    products = np.asarray(product_vectors, dtype=np.float32)  # converted once, not per block
    results = []
    for done, block in enumerate(blocks, start=1):
        results.append(top_candidates(block, products, per_host=per_host))
        if progress is not None:
            progress(done, len(blocks))
    return results
