"""The text pipeline: normalise → segment → filter, one configurable object.

The pipeline's configuration is plain data (`PipelineConfig`), so a trained model can
store it and rebuild exactly the same tokenisation later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from features.normalize import NormalizeOptions, normalize_text
from features.segment import Engine, Segmenter
from features.wordlists import UserWord, load_stopwords, load_user_dictionary

_WORDLIKE = re.compile(r"[\u4e00-\u9fffa-z]")
_DIGIT = re.compile(r"\d")
# Numbers in words (九十九, 一百五十) and number + unit (三瓶, 五十岁, 3天): spoken prices and
# quantities that ASR writes out; they carry no topic.
_MAX_CACHED_VERDICTS = 1_000_000
_NUMBER_WORD = re.compile(
    r"^[\d.零一二两三四五六七八九十百千万亿几半]+[个天盒瓶岁次年月日号块件支片袋斤克分秒倍折套包箱粒颗周]?$"
)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that decides how text becomes tokens."""

    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    engine: Engine = "auto"
    hmm: bool = True
    user_dictionary: bool = True
    extra_user_words: tuple[str, ...] = ()
    stopword_lists: tuple[str, ...] = ("zh", "live")
    extra_stopwords: tuple[str, ...] = ()
    min_token_chars: int = 2
    drop_numbers: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; `from_dict` gives back an equal config."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineConfig:
        values = dict(data)
        values["normalize"] = NormalizeOptions(**values.get("normalize", {}))
        for key in ("extra_user_words", "stopword_lists", "extra_stopwords"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


class TextPipeline:
    """Turns raw Chinese text into topic-bearing tokens.

    Example:
        >>> pipeline = TextPipeline(PipelineConfig(engine="jieba"))
        >>> pipeline.tokenize("家人们！这款粉底液控油持妆，到手价99元")
        ['粉底液', '控油', '持妆']
    """

    def __init__(
        self,
        config: PipelineConfig | None = None,
        *,
        user_words: Iterable[UserWord] | None = None,
        stopwords: Iterable[str] | None = None,
    ) -> None:
        """Build from `config`; `user_words` and `stopwords`, when given, replace the shipped
        lists (a saved model passes the snapshot it was trained with)."""
        self.config = config or PipelineConfig()
        if user_words is None:
            user_words = load_user_dictionary() if self.config.user_dictionary else ()
            user_words = [*user_words, *map(UserWord, self.config.extra_user_words)]
        self.user_words = tuple(UserWord(normalize_text(w.word), w.freq, w.tag) for w in user_words)
        self.segmenter = Segmenter(self.config.engine, self.user_words, hmm=self.config.hmm)
        if stopwords is None:
            stopwords = load_stopwords(self.config.stopword_lists) | set(
                self.config.extra_stopwords
            )
        self.stopwords = frozenset(filter(None, map(normalize_text, stopwords)))
        self._verdicts: dict[str, bool] = {}  # token → keep?, a cache: vocabularies repeat

    def normalize(self, text: str) -> str:
        return normalize_text(text, self.config.normalize)

    def tokenize(self, text: str) -> list[str]:
        """Normalise, segment and keep the tokens worth modelling."""
        return self.filter_tokens(self.segmenter.cut(self.normalize(text)))

    def tokenize_many(self, texts: Iterable[str]) -> Iterator[list[str]]:
        """`tokenize` over a stream, lazily (constant memory)."""
        for text in texts:
            yield self.tokenize(text)

    def filter_tokens(self, tokens: Iterable[str]) -> list[str]:
        """Drop stopwords, short tokens, punctuation and (by default) numbers and quantities."""
        verdicts = self._verdicts
        if len(verdicts) > _MAX_CACHED_VERDICTS:
            verdicts.clear()
        kept = []
        for token in tokens:
            keep = verdicts.get(token)
            if keep is None:
                keep = verdicts[token] = self._worth_keeping(token)
            if keep:
                kept.append(token)
        return kept

    def _worth_keeping(self, token: str) -> bool:
        if len(token) < self.config.min_token_chars or token in self.stopwords:
            return False
        if not self.config.drop_numbers:
            return bool(_WORDLIKE.search(token) or _DIGIT.search(token))
        return bool(_WORDLIKE.search(token)) and not _NUMBER_WORD.match(token)
