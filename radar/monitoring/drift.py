"""Input drift: has what hosts say, and what the model makes of it, moved since training?

- `topic_mix_distance`: the Jensen–Shannon distance (base 2, in [0, 1]) between the
  token-weighted mean topic mix of the latest weeks' transcripts and comments and that of
  the training weeks; watch ≥ 0.10, act ≥ 0.20.
- `unseen_token_rise`: the share of the latest weeks' tokens missing from the model's
  dictionary, minus that share in the training weeks (the dictionary drops rare words, so
  it is never 0); watch ≥ 0.03, act ≥ 0.08.
- `hosts_new_vocabulary_share`: the share of hosts (with tokens in both periods) whose own
  unseen share rose by ≥ 0.10 and by ≥ 4 standard errors (a host's new vocabulary, which
  the overall share dilutes when one category of hosts changes); watch ≥ 0.02, act ≥ 0.05.
- `fit_shift_psi`: the population stability index of the latest batch's fits against the
  first batch the champion made (10 bins on [0, 1]; the usual 0.1 / 0.25 rule); watch ≥ 0.10,
  act ≥ 0.25.

Each compares two samples of the same kind, so reshuffling documents between the weeks
moves none of them beyond sampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from radar.monitoring.status import Figure, Threshold, judged

TOPIC_MIX_DISTANCE = Threshold(watch=0.10, act=0.20)
UNSEEN_TOKEN_RISE = Threshold(watch=0.03, act=0.08)
FIT_SHIFT_PSI = Threshold(watch=0.10, act=0.25)
HOSTS_NEW_VOCABULARY = Threshold(watch=0.02, act=0.05)
HOST_RISE = 0.10
HOST_RISE_ERRORS = 4.0
PSI_BINS = 10
PSI_FLOOR = 1e-4
"""A bin's share below this counts as this (an empty bin would make the index infinite)."""


def topic_mix(doc_topics: np.ndarray, weights: Sequence[float] | None = None) -> np.ndarray:
    """The mean of documents' topic rows, weighted (e.g. by tokens), summing to 1."""
    rows = np.asarray(doc_topics, dtype=float)
    if rows.ndim != 2 or not len(rows):
        raise ValueError("topic_mix needs a non-empty (documents, topics) matrix")
    w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    mix = w @ rows
    return np.asarray(mix / mix.sum())


def jensen_shannon_distance(p: np.ndarray, q: np.ndarray) -> float:
    """√ of the Jensen–Shannon divergence in bits: 0 for equal mixes, 1 for disjoint ones.

    Example:
        >>> jensen_shannon_distance(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
        1.0
    """
    a = np.asarray(p, dtype=float) / np.sum(p)
    b = np.asarray(q, dtype=float) / np.sum(q)
    middle = (a + b) / 2
    divergence = (_kl_bits(a, middle) + _kl_bits(b, middle)) / 2
    return float(math.sqrt(max(divergence, 0.0)))


def unseen_share(documents: Iterable[Sequence[str]], vocabulary: Collection[str]) -> float:
    """Share of the documents' tokens that `vocabulary` does not hold (NaN for no tokens)."""
    unseen, total = unseen_counts(documents, vocabulary)
    return unseen / total if total else math.nan


def unseen_counts(
    documents: Iterable[Sequence[str]], vocabulary: Collection[str]
) -> tuple[int, int]:
    """(tokens `vocabulary` does not hold, all tokens) of the documents."""
    total = unseen = 0
    for tokens in documents:
        total += len(tokens)
        unseen += sum(token not in vocabulary for token in tokens)
    return unseen, total


def host_vocabulary_drift(counts: Mapping[str, tuple[tuple[int, int], tuple[int, int]]]) -> Figure:
    """`hosts_new_vocabulary_share` from each host's (unseen, total) tokens at training and
    now (hosts without tokens in either period are left out)."""
    moved, compared = [], 0
    for host, ((unseen_then, total_then), (unseen_now, total_now)) in counts.items():
        if not total_then or not total_now:
            continue
        compared += 1
        then, now = unseen_then / total_then, unseen_now / total_now
        error = math.sqrt(then * (1 - then) / total_then + now * (1 - now) / total_now)
        if now - then >= HOST_RISE and now - then >= HOST_RISE_ERRORS * max(error, 1e-9):
            moved.append((now - then, host))
    share = len(moved) / compared if compared else math.nan
    named = ", ".join(f"{host} +{rise:.2f}" for rise, host in sorted(moved, reverse=True)[:5])
    return judged(
        "drift.hosts_new_vocabulary_share",
        share,
        HOSTS_NEW_VOCABULARY,
        f"{len(moved)} of {compared} hosts" + (f": {named}" if named else ""),
    )


def population_stability_index(reference: np.ndarray, current: np.ndarray) -> float:
    """Σ (c − r)·ln(c / r) over equal-width bins of [0, 1] (NaN when a sample is empty)."""
    ref, cur = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    if not len(ref) or not len(cur):
        return math.nan
    edges = np.linspace(0.0, 1.0, PSI_BINS + 1)
    r = np.maximum(np.histogram(np.clip(ref, 0, 1), edges)[0] / len(ref), PSI_FLOOR)
    c = np.maximum(np.histogram(np.clip(cur, 0, 1), edges)[0] / len(cur), PSI_FLOOR)
    return float(np.sum((c - r) * np.log(c / r)))


def topic_drift(reference_mix: np.ndarray, current_mix: np.ndarray) -> Figure:
    distance = jensen_shannon_distance(reference_mix, current_mix)
    top = int(np.argmax(np.abs(np.asarray(current_mix) - np.asarray(reference_mix))))
    return judged(
        "drift.topic_mix_distance",
        distance,
        TOPIC_MIX_DISTANCE,
        f"topic {top} moved most ({reference_mix[top]:.3f} → {current_mix[top]:.3f})",
    )


def vocabulary_drift(reference_share: float, current_share: float) -> Figure:
    return judged(
        "drift.unseen_token_rise",
        current_share - reference_share,
        UNSEEN_TOKEN_RISE,
        f"unseen tokens {reference_share:.3f} at training → {current_share:.3f} now",
    )


def fit_drift(reference_fits: np.ndarray, current_fits: np.ndarray) -> Figure:
    psi = population_stability_index(reference_fits, current_fits)
    note = (
        f"{len(reference_fits)} fits at training, {len(current_fits)} in the latest batch"
        if not math.isnan(psi)
        else "no batch to compare yet"
    )
    return judged("drift.fit_shift_psi", psi, FIT_SHIFT_PSI, note)


def _kl_bits(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))
