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
    product_tokens: Sequence[str],
    host_keywords: dict[str, float],
    evidence: Evidence,
    max_topics: int = 2,
    max_keywords: int = 5,
    max_evidence: int = 2,
) -> Reasons:
    """Reasons from the topics both sides share, the product words the host uses most,
    and real lines of the host's fans (or the host) that mention them."""
    shares = np.sqrt(np.clip(host_topics, 0, None) * np.clip(product_topics, 0, None))
    total = shares.sum()
    topics = [
        SharedTopic(int(k), labels[k], float(shares[k] / total))
        for k in np.argsort(-shares, kind="stable")[:max_topics]
        if total > 0 and shares[k] / total >= 0.1
    ]
    seen: set[str] = set()
    keywords = []
    for token in sorted(set(product_tokens), key=lambda t: (-host_keywords.get(t, 0.0), t)):
        if host_keywords.get(token, 0.0) > 0 and token not in seen:
            keywords.append(token)
            seen.add(token)
        if len(keywords) == max_keywords:
            break
    quoted = _readable_first(evidence.mentions(keywords))
    return Reasons(topics, keywords, quoted[:max_evidence])


class Evidence:
    """A host's lines (newest first), searchable by keyword: each keyword's lines are found
    once, by `str.find` over the lines joined, however many products quote it."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self._text = "\n".join(self.lines)
        # where each line starts in the joined text, and where the next would
        self._starts = list(accumulate((len(line) + 1 for line in self.lines), initial=0))
        self._found: dict[str, list[int]] = {}

    def mentions(self, keywords: Sequence[str], *, enough: int = 20) -> list[str]:
        """Up to `enough` lines that mention any of `keywords`, newest first."""
        # each keyword's rows are ascending: the first `enough` of the union are among the
        # first `enough` of each
        rows = {row for keyword in keywords for row in self._rows_with(keyword)[:enough]}
        return [self.lines[row] for row in sorted(rows)[:enough]]

    def _rows_with(self, keyword: str) -> list[int]:
        rows = self._found.get(keyword)
        if rows is None:
            rows = []
            position = self._text.find(keyword) if keyword else -1
            while position >= 0:
                row = bisect_right(self._starts, position) - 1
                rows.append(row)
                following = (
                    self._starts[row + 1] if row + 1 < len(self._starts) else len(self._text)
                )
                position = self._text.find(keyword, following)
            self._found[keyword] = rows
        return rows


def _readable_first(lines: list[str], limit: int = 60) -> list[str]:
    """Prefer lines of a readable length (about 18 characters); cut long ones."""
    unique = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    ordered = sorted(unique, key=lambda line: (abs(len(line) - 18), line))
    return [line if len(line) <= limit else line[:limit] + "…" for line in ordered]
