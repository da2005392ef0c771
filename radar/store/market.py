"""Market heat (市场热度) from the store: each product's activity in the last weeks against
the weeks before, across all hosts.

Two kinds of activity, each turned into a heat by `radar.matching.proposal.heat_scores`
and averaged: conversions (placements that converted) and mentions (comments and
transcripts holding one of the product's distinctive words: words found in few of the
catalogue's products; estimated from each window's latest texts, `SAMPLE_TEXTS` of each
table). The clock is the data's own (its latest placement, comment or
transcript), so a re-run on the same data gives the same heat; where the data spans less
than twice the window, its two halves are compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, func, or_, select

from radar.matching.products import ProductVectors
from radar.matching.proposal import heat_scores
from radar.matching.reasons import KeywordRarity
from radar.store.models import Comment, Placement, Transcript
from radar.topics import TopicModel

HEAT_TABLES = ("placements", "transcripts", "comments")
"""The tables heat is read from."""
HEAT_WEEKS = 4
"""The recent window, and the window before it, in weeks."""
SAMPLE_TEXTS = 1_000
"""Texts read per window and table for mentions (the latest ones)."""
SAMPLE_CHARS = 2_000
"""Characters read of each of them."""


def load_heat(
    engine: Engine, catalogue: ProductVectors, topics: TopicModel, *, weeks: int = HEAT_WEEKS
) -> np.ndarray:
    """Each catalogue product's heat in [0, 1]: over the last `weeks` against the `weeks`
    before, or over the two halves of the data when it spans less (0.5, steady, where the
    store's activity spans less than two weeks)."""
    count = len(catalogue.products)
    first, now = activity_span(engine)
    if first is None or now is None or count == 0 or now - first < timedelta(weeks=2):
        return np.full(count, 0.5)
    window = min(timedelta(weeks=weeks), (now - first) / 2)
    split = now - window
    start = split - window
    categories = [product.category for product in catalogue.products]
    converted = _conversions(engine, catalogue.index, start, split)
    mentioned = _mentions(engine, catalogue, topics, start, split)
    return (heat_scores(*converted, categories) + heat_scores(*mentioned, categories)) / 2


def activity_span(engine: Engine) -> tuple[datetime | None, datetime | None]:
    """The first and the latest placement, comment or transcript time in the store."""
    columns = (Placement.started_at, Comment.created_at, Transcript.started_at)
    with engine.connect() as connection:
        spans = [connection.execute(select(func.min(c), func.max(c))).one() for c in columns]
    firsts = [first for first, _ in spans if first is not None]
    lasts = [last for _, last in spans if last is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _conversions(
    engine: Engine, index: dict[str, int], start: datetime, split: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Converted placements per product, (recent, before)."""
    counts = np.zeros((2, len(index)))
    query = select(Placement.product_id, Placement.started_at).where(
        Placement.started_at >= start,
        or_(Placement.converted == 1, (Placement.converted.is_(None)) & (Placement.orders > 0)),
    )
    with engine.connect() as connection:
        for product_id, moment in connection.execute(query):
            row = index.get(product_id)
            if row is not None:
                counts[int(moment >= split), row] += 1
    return counts[1], counts[0]


def _mentions(
    engine: Engine,
    catalogue: ProductVectors,
    topics: TopicModel,
    start: datetime,
    split: datetime,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated texts mentioning each product (one of its distinctive words), (recent,
    before): in each window and table, the share of its latest `SAMPLE_TEXTS` texts (their
    first `SAMPLE_CHARS` characters) that mention the product, times its number of texts."""
    words = (
        _word_counts(engine, topics, (start, split)),
        _word_counts(engine, topics, (split, None)),
    )
    distinctive = _distinctive_words(catalogue.tokens)
    counts = np.zeros((2, len(catalogue.products)))
    for row, product_tokens in enumerate(catalogue.tokens):
        own = {word for word in product_tokens if word in distinctive}
        for window in (0, 1):
            counts[window, row] = sum(words[window][word] for word in own)
    return counts[1], counts[0]


def _word_counts(
    engine: Engine, topics: TopicModel, window: tuple[datetime, datetime | None]
) -> Counter[str]:
    """In how many of the window's comments and transcripts each word is (estimated from
    a sample of each table's latest texts)."""
    counted: Counter[str] = Counter()
    for column, moment, key in (
        (Comment.text, Comment.created_at, Comment.comment_id),
        (Transcript.text, Transcript.started_at, Transcript.session_id),
    ):
        within = [moment >= window[0]] + ([] if window[1] is None else [moment < window[1]])
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).where(*within)) or 0
            texts = connection.scalars(
                select(func.substr(column, 1, SAMPLE_CHARS))
                .where(*within)
                .order_by(moment.desc(), key.desc())
                .limit(SAMPLE_TEXTS)
            ).all()
        if not texts:
            continue
        scale = total / len(texts)
        found: Counter[str] = Counter()
        for tokens in topics.tokenize(texts):
            found.update(set(tokens))
        counted.update({word: n * scale for word, n in found.items()})
    return counted


def _distinctive_words(tokens: Sequence[Sequence[str]]) -> set[str]:
    """Words that tell a few products apart (not a whole topic's)."""
    rarity = KeywordRarity.of_catalogue(tokens)
    return {word for word, n in rarity.counts.items() if n <= rarity.most_for_a_product}
