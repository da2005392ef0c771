import math

import numpy as np
import pytest

from radar.monitoring.drift import (
    fit_drift,
    jensen_shannon_distance,
    population_stability_index,
    topic_drift,
    topic_mix,
    unseen_share,
    vocabulary_drift,
)

CATEGORIES = 8
WORDS = 60  # per category


def _weeks(seed: int, *, renamed: int | None = None) -> list[list[str]]:
    """Documents of 8 categories' hosts: 40 tokens of their category's words. `renamed`:
    that category speaks a new vocabulary (the planted drift)."""
    rng = np.random.default_rng(seed)
    documents = []
    for document in range(400):
        category = document % CATEGORIES
        prefix = "new" if category == renamed else "w"
        words = rng.integers(0, WORDS, 40)
        documents.append([f"{prefix}{category}_{word}" for word in words])
    return documents


def _topics(documents: list[list[str]], vocabulary: set[str]) -> np.ndarray:
    """A stand-in topic model: a topic per category, read off the known tokens; a document
    of unknown tokens only falls back to a flat mix (as LDA's prior does)."""
    rows = np.full((len(documents), CATEGORIES), 0.01)
    for row, tokens in enumerate(documents):
        for token in tokens:
            if token in vocabulary:
                rows[row, int(token[1:].split("_")[0])] += 1
    return rows / rows.sum(axis=1, keepdims=True)


def test_jensen_shannon_distance_bounds() -> None:
    p = np.array([0.2, 0.3, 0.5])
    assert jensen_shannon_distance(p, p) == pytest.approx(0.0, abs=1e-9)
    assert jensen_shannon_distance(np.array([1.0, 0]), np.array([0, 1.0])) == pytest.approx(1.0)


def test_drift_fires_on_a_planted_vocabulary_change_and_not_on_a_reshuffle() -> None:
    training = _weeks(0)
    vocabulary = {token for tokens in training for token in tokens}
    reference_mix = topic_mix(_topics(training, vocabulary))
    reference_unseen = unseen_share(training, vocabulary)

    latest = _weeks(1)
    reshuffled = [list(np.random.default_rng(2).permutation(d)) for d in latest]
    for same in (latest, reshuffled):
        assert topic_drift(reference_mix, topic_mix(_topics(same, vocabulary))).status == "ok"
        assert vocabulary_drift(reference_unseen, unseen_share(same, vocabulary)).status == "ok"

    drifted = _weeks(1, renamed=3)
    mix = topic_mix(_topics(drifted, vocabulary))
    assert vocabulary_drift(reference_unseen, unseen_share(drifted, vocabulary)).status == "act"
    assert topic_drift(reference_mix, mix).status in ("watch", "act")
    assert "topic 3" in topic_drift(reference_mix, mix).note


def test_fit_shift() -> None:
    rng = np.random.default_rng(0)
    at_training = rng.beta(8, 2, 2000)
    assert fit_drift(at_training, rng.beta(8, 2, 2000)).status == "ok"
    assert fit_drift(at_training, rng.beta(4, 4, 2000)).status == "act"
    assert math.isnan(population_stability_index(at_training, np.array([])))
    assert fit_drift(at_training, np.array([])).status == "ok"


def test_freshness() -> None:
    from datetime import datetime, timedelta

    from radar.monitoring.freshness import freshness

    now = datetime(2026, 11, 27, 12)
    figures = freshness(
        {"a": now - timedelta(days=1), "b": now - timedelta(days=9), "c": None}, now
    )
    assert [figure.status for figure in figures] == ["ok", "watch", "act"]


def test_one_category_of_hosts_with_new_words_is_found_host_by_host() -> None:
    from radar.monitoring.drift import host_vocabulary_drift, unseen_counts

    training = _weeks(0)
    vocabulary = {token for tokens in training for token in tokens}

    def counts(latest: list[list[str]]) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
        hosts = [f"h{index % 40}" for index in range(len(latest))]  # 40 hosts, 5 per category
        return {
            host: (
                unseen_counts(
                    [d for d, h in zip(training, hosts, strict=True) if h == host], vocabulary
                ),
                unseen_counts(
                    [d for d, h in zip(latest, hosts, strict=True) if h == host], vocabulary
                ),
            )
            for host in set(hosts)
        }

    latest = _weeks(1)
    reshuffled = [list(np.random.default_rng(2).permutation(d)) for d in latest]
    assert host_vocabulary_drift(counts(reshuffled)).status == "ok"
    drifted = host_vocabulary_drift(counts(_weeks(1, renamed=3)))
    assert drifted.status == "act"
    assert drifted.value == pytest.approx(5 / 40)
