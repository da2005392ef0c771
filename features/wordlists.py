"""The word lists shipped with the pipeline: user dictionary, stopwords, chants.

Files live in `features/data/`: one entry a line, `#` starts a comment. Entries are
normalised with the same rules as the text they are matched against.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from features.normalize import normalize_text

STOPWORD_LISTS = {"zh": "stopwords_zh.txt", "live": "stopwords_live.txt"}
USER_DICTIONARY = "userdict.txt"
CHANTS = "danmaku_chants.txt"


@dataclass(frozen=True)
class UserWord:
    """One user-dictionary entry in jieba's `word freq tag` form."""

    word: str
    freq: int | None = None
    tag: str | None = None


def _entries(filename: str) -> list[str]:
    text = resources.files("features").joinpath("data", filename).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@lru_cache(maxsize=8)
def load_word_list(filename: str) -> frozenset[str]:
    """The normalised entries of one shipped list (stopwords or chants)."""
    return frozenset(filter(None, (normalize_text(entry) for entry in _entries(filename))))


def load_stopwords(names: tuple[str, ...] = ("zh", "live")) -> frozenset[str]:
    """The union of the named stopword lists (`zh`: general, `live`: live-commerce filler)."""
    unknown = set(names) - STOPWORD_LISTS.keys()
    if unknown:
        raise ValueError(
            f"unknown stopword list {sorted(unknown)}; known: {sorted(STOPWORD_LISTS)}"
        )
    words: frozenset[str] = frozenset()
    for name in names:
        words |= load_word_list(STOPWORD_LISTS[name])
    return words


@lru_cache(maxsize=1)
def load_user_dictionary() -> tuple[UserWord, ...]:
    """The live-commerce user dictionary (host slang, promotions, product words)."""
    words = []
    for entry in _entries(USER_DICTIONARY):
        parts = entry.split()
        word = normalize_text(parts[0])
        if not word or " " in word:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        words.append(UserWord(word, freq, tag))
    return tuple(words)
