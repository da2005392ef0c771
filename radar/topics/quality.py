"""How good are the topics: coherence (c_v, NPMI), held-out perplexity, diversity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from radar.topics.model import TopicModel


@dataclass(frozen=True)
class TopicQuality:
    """Quality figures of one model on one set of documents."""

    coherence_cv: float
    coherence_npmi: float
    perplexity: float
    topic_diversity: float

    def as_metrics(self) -> dict[str, float]:
        return asdict(self)


def measure_quality(
    model: TopicModel,
    held_out: Sequence[Sequence[str]],
    *,
    reference: Sequence[Sequence[str]] = (),
    topn: int = 10,
) -> TopicQuality:
    """Perplexity on `held_out` tokens; coherence on `held_out` plus `reference` tokens.

    Coherence needs every top word to occur in its reference corpus (gensim's c_v and
    NPMI are undefined otherwise), so pass the training documents as `reference`: the
    measure is then "do a topic's words co-occur in the radar's text".
    """
    from gensim.models import CoherenceModel

    topics = model.top_words(topn)
    held = [list(doc) for doc in held_out if doc]
    texts = held + [list(doc) for doc in reference if doc]
    scores = {}
    for measure in ("c_v", "c_npmi"):
        coherence = CoherenceModel(
            topics=topics,
            texts=texts,
            dictionary=model.dictionary_,
            coherence=measure,
            topn=topn,
            processes=1,
        )
        scores[measure] = float(coherence.get_coherence())
    return TopicQuality(
        coherence_cv=scores["c_v"],
        coherence_npmi=scores["c_npmi"],
        perplexity=perplexity(model, held),
        topic_diversity=topic_diversity(model.top_words(25)),
    )


def perplexity(model: TopicModel, tokens: Sequence[Sequence[str]]) -> float:
    """exp of the negative per-word likelihood bound on `tokens` (lower is better)."""
    corpus = [model.dictionary_.doc2bow(list(doc)) for doc in tokens]
    corpus = [bow for bow in corpus if bow]
    if not corpus:
        return float("nan")
    return float(np.exp2(-model.lda_.log_perplexity(corpus)))


def topic_diversity(top_words: Sequence[Sequence[str]]) -> float:
    """Share of distinct words among all topics' top words (1 = no topic repeats another)."""
    words = [word for topic in top_words for word in topic]
    return len(set(words)) / len(words) if words else 0.0
