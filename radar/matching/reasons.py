"""Reasons for a recommendation, in Chinese: shared topics, keywords, evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
    host_lines: Sequence[str],
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
    evidence = _mentions(host_lines, keywords)
    return Reasons(topics, keywords, _readable_first(evidence)[:max_evidence])


def _mentions(lines: Sequence[str], keywords: list[str], *, enough: int = 20) -> list[str]:
    """Up to `enough` lines that mention any keyword, newest first (plain substring tests:
    compiling a pattern per recommendation cost more than the whole search)."""
    found: list[str] = []
    if not keywords:
        return found
    for line in lines:
        if any(keyword in line for keyword in keywords):
            found.append(line)
            if len(found) == enough:
                break
    return found


def _readable_first(lines: list[str], limit: int = 60) -> list[str]:
    """Prefer lines of a readable length (about 18 characters); cut long ones."""
    unique = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    ordered = sorted(unique, key=lambda line: (abs(len(line) - 18), line))
    return [line if len(line) <= limit else line[:limit] + "…" for line in ordered]
