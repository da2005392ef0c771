"""Reasons for a recommendation, in Chinese: shared topics, keywords, evidence."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np


@dataclass(frozen=True)
class SharedTopic:
    topic: int
    label: str
    weight: float


@dataclass(frozen=True)
class Reasons:
    """Why a product fits a host."""

    topics: list[SharedTopic] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """One line for operations, e.g. 共同主题：彩妆(62%)；匹配关键词：粉底液、持妆；…"""
        parts = []
        if self.topics:
            topics = "、".join(f"{t.label}({t.weight:.0%})" for t in self.topics)
            parts.append(f"共同主题：{topics}")
        if self.keywords:
            parts.append("匹配关键词：" + "、".join(self.keywords))
        if self.evidence:
            parts.append("粉丝/直播原话：" + " ".join(f"「{line}」" for line in self.evidence))
        return "；".join(parts) or "综合匹配度高"

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "topics": [
                {"topic": t.topic, "label": t.label, "weight": round(t.weight, 4)}
                for t in self.topics
            ],
            "keywords": self.keywords,
            "evidence": self.evidence,
        }


def explain(
    host_topics: np.ndarray,
    product_topics: np.ndarray,
    *,
    labels: Sequence[str],
    product_tokens: Sequence[Sequence[str]],
    host_keywords: Sequence[str],
    evidence: Evidence,
    max_topics: int = 2,
    max_keywords: int = 5,
    max_evidence: int = 2,
) -> list[Reasons]:
    """Reasons for each product (a row of `product_topics`, its words in `product_tokens`)
    recommended to one host: the topics both share, the product words the host uses most
    (`host_keywords`, heaviest first), and real lines of the host's fans (or the host)
    that mention them."""
    rank = {word: position for position, word in enumerate(host_keywords)}
    shares = np.sqrt(np.clip(host_topics, 0, None) * np.clip(product_topics, 0, None))
    totals = shares.sum(axis=1)
    leading = np.argsort(-shares, axis=1, kind="stable")[:, :max_topics]
    reasons = []
    for row, tokens in enumerate(product_tokens):
        total = float(totals[row])
        topics = [
            SharedTopic(int(k), labels[k], share / total)
            for k in leading[row]
            if total > 0 and (share := float(shares[row, k])) / total >= 0.1
        ]
        keywords = sorted((t for t in set(tokens) if t in rank), key=rank.__getitem__)
        del keywords[max_keywords:]
        reasons.append(Reasons(topics, keywords, evidence.quotes(keywords, max_evidence)))
    return reasons


class Evidence:
    """A host's lines (newest first), searchable by keyword: each keyword's lines are found
    once, by `str.find` over the lines joined, however many products quote it."""

    def __init__(self, lines: Sequence[str], *, enough: int = 8) -> None:
        """`enough`: how many of a keyword's newest lines are read to choose its quotes."""
        self.lines = list(lines)
        self.enough = enough
        self._text = "\n".join(self.lines)
        # where each line starts in the joined text, and where the next would
        self._starts = list(accumulate((len(line) + 1 for line in self.lines), initial=0))
        self._quotes: dict[str, list[str]] = {}

    def mentions(self, keyword: str) -> list[str]:
        """The newest lines that hold `keyword` (up to `enough` of them)."""
        return [self.lines[row] for row in self._rows_with(keyword)]

    def quotes(self, keywords: Sequence[str], count: int) -> list[str]:
        """Up to `count` lines to quote, for the keywords in order: of each keyword's newest
        lines, the ones of the most readable length (about 18 characters), long ones cut."""
        chosen: list[str] = []
        for keyword in keywords:
            found = self._quotes.get(keyword)
            if found is None:
                found = self._quotes[keyword] = _readable_first(self.mentions(keyword), count)
            chosen.extend(line for line in found if line not in chosen)
            if len(chosen) >= count:
                break
        return chosen[:count]

    def _rows_with(self, keyword: str) -> list[int]:
        rows: list[int] = []
        position = self._text.find(keyword) if keyword else -1
        while position >= 0 and len(rows) < self.enough:
            row = bisect_right(self._starts, position) - 1
            rows.append(row)
            following = self._starts[row + 1] if row + 1 < len(self._starts) else len(self._text)
            position = self._text.find(keyword, following)
        return rows


def _readable_first(lines: list[str], count: int, limit: int = 60) -> list[str]:
    """The `count` lines of the most readable length (about 18 characters), long ones cut."""
    unique = {stripped for line in lines if (stripped := line.strip())}
    best = sorted(unique, key=lambda line: (abs(len(line) - 18), line))[:count]
    return [line if len(line) <= limit else line[:limit] + "…" for line in best]
