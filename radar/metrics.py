"""Ranking and calibration metrics as pure functions over plain tables.

Ranking metrics take `truth` (host → the set of relevant items) and `recs` (host → the
ranked list recommended) and average over the hosts of `truth`; a host with no list
counts as all misses. Relevance is binary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from typing import Any

import numpy as np

Truth = Mapping[Any, Set[Any]]
Recs = Mapping[Any, Sequence[Any]]


def precision_at_k(truth: Truth, recs: Recs, *, k: int = 10) -> float:
    """Mean share of the top-k slots holding a relevant item (empty slots are misses).

    Example:
        >>> precision_at_k({"h": {"a", "b"}}, {"h": ["a", "x", "b", "y"]}, k=2)
        0.5
    """
    _check_k(k)
    return _mean(
        len(set(recs.get(host, [])[:k]) & relevant) / k for host, relevant in truth.items()
    )


def recall_at_k(truth: Truth, recs: Recs, *, k: int = 10) -> float:
    """Mean share of each host's relevant items found in its top k (hosts with none skipped)."""
    _check_k(k)
    return _mean(
        len(set(recs.get(host, [])[:k]) & relevant) / len(relevant)
        for host, relevant in truth.items()
        if relevant
    )


def ndcg_at_k(truth: Truth, recs: Recs, *, k: int = 10) -> float:
    """Mean normalised discounted cumulative gain of the top k, binary relevance."""
    _check_k(k)
    scores = []
    for host, relevant in truth.items():
        if not relevant:
            continue
        ranked = recs.get(host, [])[:k]
        dcg = sum(1 / math.log2(rank + 2) for rank, item in enumerate(ranked) if item in relevant)
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
        scores.append(dcg / ideal)
    return _mean(scores)


def catalogue_coverage(recs: Recs, *, catalogue_size: int, k: int = 10) -> float:
    """Share of the catalogue that appears in at least one host's top k."""
    _check_k(k)
    if catalogue_size <= 0:
        raise ValueError(f"catalogue_size must be positive, got {catalogue_size}")
    shown = {item for ranked in recs.values() for item in ranked[:k]}
    return len(shown) / catalogue_size


def share_of_hosts_served(scores: Mapping[Any, Sequence[float]], *, threshold: float) -> float:
    """Share of hosts with at least one score at or above `threshold`."""
    return _mean(float(any(score >= threshold for score in values)) for values in scores.values())


def reliability_table(
    y_true: Sequence[int] | np.ndarray, y_prob: Sequence[float] | np.ndarray, *, n_bins: int = 10
) -> list[tuple[float, float, float, int]]:
    """Per equal-width probability bin: (low edge, mean predicted, observed rate, count);
    empty bins are left out."""
    truth, prob = _as_arrays(y_true, y_prob)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(prob, edges[1:-1], right=False), 0, n_bins - 1)
    rows = []
    for index in range(n_bins):
        mask = bins == index
        if mask.any():
            rows.append(
                (
                    float(edges[index]),
                    float(prob[mask].mean()),
                    float(truth[mask].mean()),
                    int(mask.sum()),
                )
            )
    return rows


def expected_calibration_error(
    y_true: Sequence[int] | np.ndarray, y_prob: Sequence[float] | np.ndarray, *, n_bins: int = 10
) -> float:
    """Count-weighted mean gap between predicted probability and observed rate per bin.

    Example:
        >>> expected_calibration_error([1, 0, 1, 1], [0.75, 0.75, 0.75, 0.75])
        0.0
    """
    truth, _ = _as_arrays(y_true, y_prob)
    table = reliability_table(y_true, y_prob, n_bins=n_bins)
    return (
        float(
            sum(count * abs(predicted - observed) for _, predicted, observed, count in table)
            / len(truth)
        )
        if len(truth)
        else float("nan")
    )


def precision_above(
    y_true: Sequence[int] | np.ndarray,
    y_prob: Sequence[float] | np.ndarray,
    *,
    threshold: float,
) -> float:
    """Observed positive rate among the pairs scored at or above `threshold` (nan if none)."""
    truth, prob = _as_arrays(y_true, y_prob)
    mask = prob >= threshold
    return float(truth[mask].mean()) if mask.any() else float("nan")


def _as_arrays(
    y_true: Sequence[int] | np.ndarray, y_prob: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    truth = np.asarray(y_true, dtype=float)
    prob = np.asarray(y_prob, dtype=float)
    if truth.shape != prob.shape:
        raise ValueError(f"y_true and y_prob differ in shape: {truth.shape} vs {prob.shape}")
    if prob.size and (prob.min() < 0 or prob.max() > 1):
        raise ValueError("y_prob must lie in [0, 1]")
    return truth, prob


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def _mean(values: object) -> float:
    items = list(values)  # type: ignore[call-overload]
    return float(sum(items) / len(items)) if items else float("nan")
