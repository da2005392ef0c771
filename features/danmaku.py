"""Noise filtering for danmaku and short fan comments.

A comment is noise when, once normalised, it carries no content: it is empty, it has
fewer than two content characters, it is nothing but chants (哈哈, 666, awsl…, or a short unit
said three times over: 点赞点赞点赞), or it is
a bot-like repeat of a text already seen `max_repeats` times in the same stream.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from features.normalize import normalize_text
from features.wordlists import CHANTS, load_word_list

_CONTENT_CHAR = re.compile(r"[\u4e00-\u9fffa-z0-9]")
_SEPARATORS = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")
_REPEATED_UNIT = re.compile(r"^(.{1,4}?)\1{2,}$")  # 点赞点赞点赞, 冲冲冲, 上车上车上车
_CHANT_PATTERN = re.compile(r"^(?:哈|嘿|呵|嘻|啊|h|a|w|6|23+|1|草)+$")


def noise_reason(normalized: str, chants: frozenset[str]) -> str | None:
    """Why a normalised comment is noise (`empty`, `too short`, `chant`), or None.

    Example:
        >>> noise_reason("哈哈 666", frozenset({"哈哈"})) == "chant"
        True
    """
    content = _CONTENT_CHAR.findall(normalized)
    if not content:
        return "empty"
    if len(content) < 2:
        return "too short"
    pieces = [piece for piece in _SEPARATORS.split(normalized) if piece]
    if all(
        piece in chants or _CHANT_PATTERN.match(piece) or _REPEATED_UNIT.match(piece)
        for piece in pieces
    ):
        return "chant"
    return None


@dataclass
class DanmakuFilter:
    """Stateful filter over one stream of comments (one host or one session).

    Example:
        >>> keep = DanmakuFilter(max_repeats=1)
        >>> [keep.reason(t) for t in ["这个口红什么色号", "这个口红什么色号", "哈哈哈哈"]]
        [None, 'repeat', 'chant']
    """

    max_repeats: int = 3
    chants: frozenset[str] = field(default_factory=lambda: load_word_list(CHANTS))
    _seen: Counter[str] = field(default_factory=Counter, init=False, repr=False)

    def reason(self, text: str, *, normalized: bool = False) -> str | None:
        """Why `text` is noise (`empty`, `too short`, `chant`, `repeat`), or None to keep it."""
        norm = text if normalized else normalize_text(text)
        why = noise_reason(norm, self.chants)
        if why is not None:
            return why
        key = _SEPARATORS.sub("", norm)  # punctuation and spacing variants are the same text
        self._seen[key] += 1
        return "repeat" if self._seen[key] > self.max_repeats else None

    def keep(self, texts: Iterable[str]) -> Iterator[str]:
        """The texts that are not noise, in order."""
        return (text for text in texts if self.reason(text) is None)
