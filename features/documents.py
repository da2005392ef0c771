"""Building topic-model documents from live-commerce text.

LDA learns from word co-occurrence inside a document, so one-line documents teach it
little. Three deliberate choices, shared by training and matching:

- **Transcripts are split into passages** of about `max_chars` characters at sentence
  ends: a two-hour session covers several products, and one document per session would
  blur them into one mixture.
- **Comments and danmaku are pooled** per host and session (chunks of at most
  `max_comments`), after dropping noise (chants, one-character lines, bot repeats): the
  fans of one session ask about the same products, so pooling gives LDA co-occurrence
  that single lines lack.
- **Products** become one document of title, category, attributes and description.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from features.danmaku import DanmakuFilter

TRANSCRIPT, COMMENTS, PRODUCT = "transcript", "comments", "product"


@dataclass(frozen=True)
class Document:
    """One modelling document and where it came from."""

    kind: str
    key: str
    text: str
    streamer_id: str | None = None
    time: datetime | None = None


def split_holdout(
    documents: list[Document], *, fraction: float = 0.2, seed: int = 0
) -> tuple[list[Document], list[Document]]:
    """A shuffled (train, held-out) split; the shuffle also breaks the store's ordering,
    which online LDA would otherwise learn in blocks."""
    shuffled = list(documents)
    random.Random(seed).shuffle(shuffled)
    cut = round(len(shuffled) * (1 - fraction))
    return shuffled[:cut], shuffled[cut:]


SENTENCE_ENDS = "。！？!?；;\n"
"""The marks that end a sentence (Chinese and ASCII), a line break included."""
_SENTENCE_END = re.compile(f"(?<=[{SENTENCE_ENDS}])")


def split_sentences(text: str) -> list[str]:
    """The text's sentences, each with the mark that ends it: joined, they give the text
    back. The one splitter of passages and of the lines reasons quote.

    Example:
        >>> split_sentences("能用吗？很好用！")
        ['能用吗？', '很好用！']
    """
    return [sentence for sentence in _SENTENCE_END.split(text) if sentence]


def split_passages(text: str, *, max_chars: int = 400) -> list[str]:
    """Cut a long text at sentence ends into passages of at most about `max_chars`.

    Example:
        >>> split_passages("第一句。第二句。第三句。", max_chars=8)
        ['第一句。第二句。', '第三句。']
    """
    passages: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + len(sentence) > max_chars:
            passages.append(current)
            current = ""
        while len(sentence) > max_chars:  # a run-on ASR sentence: cut it hard
            passages.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        current += sentence
    if current.strip():
        passages.append(current)
    return [passage.strip() for passage in passages if passage.strip()]


def pool_comments(
    comments: Iterable[str], *, max_comments: int = 50, noise: DanmakuFilter | None = None
) -> Iterator[str]:
    """Join the non-noise comments of one stream into documents of `max_comments` lines."""
    keep = noise or DanmakuFilter()
    pool: list[str] = []
    for comment in comments:
        if keep.reason(comment) is None:
            pool.append(comment)
        if len(pool) >= max_comments:
            yield "\n".join(pool)
            pool = []
    if pool:
        yield "\n".join(pool)


def product_document(
    title: str,
    *,
    category: str | None = None,
    description: str | None = None,
    attributes: str | None = None,
) -> str:
    """One product as a document: title, category, attribute values and description."""
    values = []
    if attributes:
        for pair in re.split(r"[;；,，|]", attributes):
            values.append(pair.split(":", 1)[-1].split("：", 1)[-1])
    parts = [title, category or "", " ".join(values), description or ""]
    return "\n".join(part for part in parts if part)
