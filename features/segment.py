"""Word segmentation with jieba semantics.

Two engines share jieba's dictionary and user-dictionary format: `rjieba` (the
jieba-rs binding, much faster) and plain `jieba`. `auto` takes rjieba
when it is installed and falls back to jieba.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

from features.wordlists import UserWord

Engine = Literal["auto", "rjieba", "jieba"]

logger = logging.getLogger(__name__)


class Segmenter:
    """Cuts normalised text into words.

    Example:
        >>> Segmenter("jieba", [UserWord("上链接")]).cut("家人们上链接")[-1]
        '上链接'
    """

    def __init__(
        self, engine: Engine = "auto", user_words: Iterable[UserWord] = (), *, hmm: bool = True
    ) -> None:
        self.engine = resolve_engine(engine)
        self.hmm = hmm
        self._tokenizer = _build_tokenizer(self.engine, tuple(user_words))

    def cut(self, text: str) -> list[str]:
        """The words of `text`, in order, white space included as jieba gives it."""
        if self.engine == "rjieba":
            return self._tokenizer.cut(text, self.hmm)
        return self._tokenizer.lcut(text, HMM=self.hmm)


def resolve_engine(engine: Engine) -> Literal["rjieba", "jieba"]:
    """The concrete engine: `auto` means rjieba when importable, else jieba."""
    if engine == "jieba":
        return "jieba"
    try:
        import rjieba  # noqa: F401
    except ImportError:
        if engine == "rjieba":
            raise ValueError(
                "engine 'rjieba' asked for but not installed: pip install rjieba"
            ) from None
        logger.info("rjieba is not installed; segmenting with plain jieba")
        return "jieba"
    return "rjieba"


def _build_tokenizer(engine: str, user_words: tuple[UserWord, ...]) -> Any:
    if engine == "rjieba":
        import rjieba

        tokenizer: Any = rjieba.Jieba()
        for entry in user_words:
            tokenizer.add_word(entry.word, entry.freq, entry.tag)
        return tokenizer
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for entry in user_words:
        tokenizer.add_word(entry.word, entry.freq, entry.tag)
    return tokenizer
