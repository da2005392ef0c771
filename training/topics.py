"""Training topic models: a pure function from documents and parameters to a fitted model,
and the sweep that picks the number of topics. No MLflow here (see `tracking`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from radar.topics import TopicModel
from radar.topics.quality import TopicQuality, measure_quality

logger = logging.getLogger(__name__)

DEFAULT_CANDIDATES = (8, 12, 16, 20, 30)


@dataclass(frozen=True)
class Candidate:
    """One trained candidate of a sweep and its held-out quality."""

    num_topics: int
    model: TopicModel
    quality: TopicQuality


@dataclass
class SweepResult:
    """All candidates and the chosen one."""

    candidates: list[Candidate]
    chosen: Candidate
    ranks: dict[int, float] = field(default_factory=dict)


def train_topic_model(texts: Sequence[str], params: dict[str, Any]) -> TopicModel:
    """Fit a `TopicModel` with `params` (its constructor's keyword arguments)."""
    return TopicModel(**params).fit(texts)


def evaluate_topic_model(
    model: TopicModel, held_out: Sequence[str], train: Sequence[str] = ()
) -> TopicQuality:
    """Held-out perplexity; coherence (c_v, NPMI) over all documents; diversity."""
    return measure_quality(model, model.tokenize(held_out), reference=model.tokenize(train))


def sweep_num_topics(
    train: Sequence[str],
    held_out: Sequence[str],
    params: dict[str, Any],
    candidates: Sequence[int] = DEFAULT_CANDIDATES,
    on_candidate: Callable[[Candidate], None] | None = None,
) -> SweepResult:
    """Train one model per topic count and choose by held-out quality.

    The choice: the best mean rank over c_v (higher is better), NPMI (higher) and
    held-out perplexity (lower); ties go to fewer topics, which are easier to read.
    """
    if not candidates:
        raise ValueError("sweep_num_topics needs at least one candidate topic count")
    results = []
    for num_topics in sorted(set(candidates)):
        model = train_topic_model(train, {**params, "num_topics": num_topics})
        candidate = Candidate(num_topics, model, evaluate_topic_model(model, held_out, train))
        logger.info("K=%d: %s", num_topics, candidate.quality)
        if on_candidate is not None:
            on_candidate(candidate)
        results.append(candidate)
    ranks = _mean_ranks(results)
    chosen = min(results, key=lambda c: (ranks[c.num_topics], c.num_topics))
    return SweepResult(results, chosen, ranks)


def _mean_ranks(results: list[Candidate]) -> dict[int, float]:
    def rank(values: list[float], higher_is_better: bool) -> list[int]:
        order = sorted(
            range(len(values)), key=lambda i: -values[i] if higher_is_better else values[i]
        )
        ranks = [0] * len(values)
        for position, index in enumerate(order):
            ranks[index] = position
        return ranks

    cv = rank([c.quality.coherence_cv for c in results], True)
    npmi = rank([c.quality.coherence_npmi for c in results], True)
    perplexity = rank([c.quality.perplexity for c in results], False)
    return {c.num_topics: (cv[i] + npmi[i] + perplexity[i]) / 3 for i, c in enumerate(results)}
