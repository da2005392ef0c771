"""A host's profile over time: what the host says and what the fans ask, week by week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from features.documents import COMMENTS, TRANSCRIPT, Document
from radar.matching.profiles import document_weights
from radar.topics import TopicModel


@dataclass(frozen=True)
class TimelinePoint:
    """One week's topic distribution of one source (transcripts or comments)."""

    week_start: date
    source: str
    tokens: int
    topics: np.ndarray


def profile_timeline(documents: Sequence[Document], model: TopicModel) -> list[TimelinePoint]:
    """Mean topic distribution per ISO week and source, oldest first, each document
    weighed as in a profile (`document_weights`: its modelled tokens; a week has no
    recency of its own)."""
    grouped: dict[tuple[date, str], list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.time is not None and doc.kind in (TRANSCRIPT, COMMENTS):
            day = doc.time.date()
            grouped[(day - timedelta(days=day.weekday()), doc.kind)].append(doc)
    points = []
    for (week, source), docs in sorted(grouped.items()):
        tokens = model.tokenize(doc.text for doc in docs)
        _, weights = document_weights(tokens, model.dictionary_.token2id)
        if weights.sum() == 0:
            continue
        vectors = model.transform_tokens(tokens)
        points.append(
            TimelinePoint(week, source, int(weights.sum()), weights @ vectors / weights.sum())
        )
    return points
