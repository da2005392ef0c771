"""Comparing two topic models: which topics of one reappear in the other."""

from __future__ import annotations

from dataclasses import dataclass

from radar.topics.model import TopicModel


@dataclass(frozen=True)
class TopicMatch:
    """A topic of the first model and its closest topic in the second."""

    topic: int
    label: str
    match: int
    match_label: str
    overlap: float  # Jaccard of the two topics' top words


def topic_overlap(first: TopicModel, second: TopicModel, *, topn: int = 20) -> list[TopicMatch]:
    """For each topic of `first`, the topic of `second` sharing the most top words.

    Example: a mean overlap near 1 means retraining found the same topics.
    """
    theirs = [set(words) for words in second.top_words(topn)]
    matches = []
    for topic, words in enumerate(first.top_words(topn)):
        mine = set(words)
        scores = [len(mine & other) / len(mine | other) for other in theirs]
        best = max(range(len(scores)), key=lambda k: (scores[k], -k))
        matches.append(
            TopicMatch(
                topic, first.topic_labels_[topic], best, second.topic_labels_[best], scores[best]
            )
        )
    return matches
