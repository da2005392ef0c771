"""Reasons for a recommendation, in Chinese: shared topics, keywords, evidence.

A quote must be about the product it justifies: it holds one of the product's own words
(not its category's) that is not a word of a whole topic, the rarest one in the catalogue
first (驱虫药 before 宠物), and no word of another product of the list that this one
lacks. A host's list is explained in one pass, in its order, so a line quoted for one
product is not quoted again for another while other lines exist. No such line: no quote.
A list whose head was explained before (the API's precomputed lists) is explained from
where the head left the quotes (`QuoteTrail`): the same reasons as in one pass.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add

import numpy as np

TOPIC_WORD_SHARE = 0.05
"""A word found in more of the catalogue's products than this (and in more than one) is a
word of a topic (宠物, 中国, 套装): it is listed as a keyword but picks no quote."""
RARITY_SAMPLE = 20_000
"""Products read to count words (evenly spaced): enough to tell a topic's words from a
product's, at a fraction of a second for any catalogue."""
QUOTE_CHARS = 60
"""Longer lines are cut to this many characters around the word they are quoted for."""


@dataclass(frozen=True)
class SharedTopic:
    topic: int
    label: str
    weight: float


@dataclass(frozen=True, slots=True)
class Quoted:
    """What a product's reasons leave for the products below it in its list: the host's
    keywords it names (its own words that quotes are looked for) and the host's lines it
    quotes (their rows in the evidence)."""

    words: Sequence[str] = ()
    rows: Sequence[int] = ()


NOTHING_QUOTED = Quoted()


@dataclass(frozen=True)
class Reasons:
    """Why a product fits a host (`quoted`: what its reasons leave for the products below
    it, not shown)."""

    topics: list[SharedTopic] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    quoted: Quoted = field(default=NOTHING_QUOTED, compare=False, repr=False)

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


class KeywordRarity:
    """In how many of the catalogue's products each word is found: rare words tell a
    product apart (驱虫药), common ones belong to a topic (宠物)."""

    def __init__(self, counts: Mapping[str, int], products: int) -> None:
        self.counts = counts
        self.products = products
        self.most_for_a_product = max(1.0, TOPIC_WORD_SHARE * products)
        """The most products a word may be found in and still tell one of them apart."""

    @classmethod
    def of_catalogue(
        cls, tokens: Sequence[Sequence[str]], *, sample: int = RARITY_SAMPLE
    ) -> KeywordRarity:
        """Counted over the products' words (`ProductVectors.tokens`), or over `sample`
        of them, evenly spaced, in a larger catalogue."""
        step = max(1.0, len(tokens) / sample)
        rows = sorted({int(index * step) for index in range(min(sample, len(tokens)))})
        counts = Counter(word for row in rows for word in set(tokens[row]))
        return cls(counts, len(rows))

    def products_with(self, word: str) -> int:
        return self.counts.get(word, 0)


NO_RARITY = KeywordRarity({}, 0)
"""Every word equally rare: keywords keep the host's order."""


class QuoteTrail:
    """Where explaining a list left the quotes after each of its products (each one's
    `Quoted`), packed small (a few hundred bytes: the API keeps one beside each host's
    list), with the host's keywords and lines it was explained from: a longer list with
    the same head is explained from there (`explain`'s `after`)."""

    __slots__ = ("_found", "_packed", "_text")

    def __init__(
        self,
        quoted: Sequence[Quoted],
        keywords: Sequence[str],
        lines: Sequence[str],
        found: Mapping[str, Sequence[int]] | None = None,
    ):
        """`found`: the keywords whose lines explaining the list looked up, and those lines'
        rows (`Evidence.found`), kept too (`lines_found`)."""
        place = {word: at for at, word in enumerate(keywords)}
        words = [place[word] for product in quoted for word in product.words]
        rows = [row for product in quoted for row in product.rows]
        # how many products, where each one's words end, where its rows end, then them all
        word_ends = list(accumulate(len(product.words) for product in quoted))
        row_ends = list(accumulate(len(product.rows) for product in quoted))
        self._packed = _packed([len(quoted), *word_ends, *row_ends, *words, *rows])
        looked_up = {place[word]: rows for word, rows in (found or {}).items() if word in place}
        ends = list(accumulate(len(rows) for rows in looked_up.values()))
        every_row = [row for rows in looked_up.values() for row in rows]
        self._found = _packed([len(looked_up), *looked_up, *ends, *every_row])
        self._text = _text_key(keywords, lines)

    def head(self, count: int, keywords: Sequence[str], lines: Sequence[str]) -> Quoted | None:
        """What the first `count` products left, together (their words in order, their
        rows); None when the list holds fewer, or when the host's keywords or lines are not
        the ones it was explained from (its quotes may then differ)."""
        flat = _unpacked(self._packed)
        products = int(flat[0])
        if not 0 < count <= products or _text_key(keywords, lines) != self._text:
            return None
        words_at = 1 + 2 * products
        rows_at = words_at + int(flat[products])
        words = flat[words_at : words_at + int(flat[count])].tolist()
        rows = flat[rows_at : rows_at + int(flat[products + count])].tolist()
        return Quoted([keywords[at] for at in words], rows)

    def lines_found(self, keywords: Sequence[str], lines: Sequence[str]) -> dict[str, list[int]]:
        """The rows of the lines looked up for each keyword while explaining the list (none
        when the host's keywords or lines are not the ones it was explained from)."""
        if _text_key(keywords, lines) != self._text:
            return {}
        flat = _unpacked(self._found).tolist()
        count = flat[0]
        ends = flat[1 + count : 1 + 2 * count]
        rows = flat[1 + 2 * count :]
        return {
            keywords[at]: rows[start:end]
            for at, start, end in zip(flat[1 : 1 + count], [0, *ends], ends, strict=False)
        }


def _packed(numbers: Sequence[int]) -> bytes:
    """Numbers in two bytes each while they fit (a profile keeps hundreds of keywords and
    lines), else in eight; the first byte says which."""
    wide = max(numbers, default=0) > np.iinfo(np.uint16).max
    return (b"w" if wide else b"n") + np.array(
        numbers, dtype=np.int64 if wide else np.uint16
    ).tobytes()


def _unpacked(packed: bytes) -> np.ndarray:
    return np.frombuffer(packed, dtype=np.int64 if packed[:1] == b"w" else np.uint16, offset=1)


def _text_key(keywords: Sequence[str], lines: Sequence[str]) -> int:
    """Which keywords and lines a list was explained from, within this process (quotes
    depend on nothing else of the host)."""
    return hash((tuple(keywords), tuple(lines)))


def explain(
    host_topics: np.ndarray,
    product_topics: np.ndarray,
    *,
    labels: Sequence[str],
    product_tokens: Sequence[Sequence[str]],
    host_keywords: Sequence[str],
    evidence: Evidence,
    rarity: KeywordRarity | None = None,
    product_categories: Sequence[str | None] | None = None,
    max_topics: int = 2,
    max_keywords: int = 5,
    max_evidence: int = 2,
    after: Quoted = NOTHING_QUOTED,
) -> list[Reasons]:
    """Reasons for each product of one host's list, in the list's order (a row of
    `product_topics`, its words in `product_tokens`, its category in `product_categories`):
    the topics both share; the product words the host uses (`host_keywords`, heaviest
    first), the ones quoted first, then the rarest in the catalogue (`rarity`); and lines
    of the host's fans (or the host) holding one of its five rarest own words (not a
    topic's, not its category's), chosen for the whole list (`_quotes_for_list`). `after`:
    what the products above these left, when they follow a head explained before for the
    same host (`QuoteTrail.head`): the reasons they get in one pass after it."""
    rarity = rarity or NO_RARITY
    rank = dict(zip(host_keywords, range(len(host_keywords)), strict=True))
    shares = np.sqrt(np.maximum(host_topics, 0) * np.maximum(product_topics, 0))
    totals = shares.sum(axis=1)
    leading = np.argsort(-shares, axis=1, kind="stable")[:, :max_topics]
    shared, own = [], []
    products_with = rarity.counts.get
    for row, tokens in enumerate(product_tokens):
        # the words both use, the rarest in the catalogue first, then the host's most used
        counted = sorted(
            [(products_with(word, 0), rank[word], word) for word in rank.keys() & tokens]
        )
        category = (product_categories[row] if product_categories is not None else None) or ""
        shared.append([word for _, _, word in counted])
        own.append(
            [w for n, _, w in counted if n <= rarity.most_for_a_product and w not in category][
                :max_keywords
            ]
        )
    reasons = []
    token_sets = [frozenset(tokens) for tokens in product_tokens]
    quoted_above = {evidence.lines[row].strip() for row in after.rows}
    chosen = _quotes_for_list(evidence, own, token_sets, max_evidence, after.words, quoted_above)
    for row, quotes in enumerate(chosen):
        total = float(totals[row])
        topics = [
            SharedTopic(int(k), labels[k], share / total)
            for k in leading[row]
            if total > 0 and (share := float(shares[row, k])) / total >= 0.1
        ]
        quoted_for = list(dict.fromkeys(word for _, word, _ in quotes))
        keywords = quoted_for + [word for word in shared[row] if word not in quoted_for]
        left = Quoted(own[row], [at for _, _, at in quotes])
        reasons.append(
            Reasons(
                topics,
                keywords[:max_keywords],
                [_excerpt(line, word) for line, word, _ in quotes],
                left,
            )
        )
    return reasons


def _quotes_for_list(
    evidence: Evidence,
    words: Sequence[Sequence[str]],
    product_tokens: Sequence[frozenset[str]],
    count: int,
    above: Sequence[str] = (),
    quoted_above: Collection[str] = (),
) -> list[list[tuple[str, str, int]]]:
    """Up to `count` lines for each product of a list, in the list's order (with the word
    each is quoted for and its row), from the product's `words` in order, after a head of
    products explained before (`above`: their words; `quoted_above`: their lines, stripped),
    if any: lines no product above it
    quotes, leaving out a line that holds one of the `words` of a product above it that is
    not among its own `product_tokens` (「旺财的宠物沐浴露有大号吗」 is about the shampoo,
    not the 旺财 worming drops); a product left without a line then gets its best line,
    quoted already above. A product's lines depend only on the products above it, so the
    reasons of a list's first k products are those of a list of k (the API answers a
    shorter request from a longer precomputed list, and a longer one explains only the
    products after that list's head)."""
    chosen: list[list[tuple[str, str, int]]] = [[] for _ in words]
    quoted: set[str] = set(quoted_above)
    named = _Naming()  # the words of the products above this one
    named.add(above)
    for product, own in enumerate(words):
        tokens, picked = product_tokens[product], chosen[product]
        fallback: tuple[str, str, int] | None = None
        for keyword in own:
            if len(picked) == count:
                break  # (its lines are not looked for)
            for row, line in evidence.readable_rows(keyword):
                if len(picked) == count:
                    break
                if line in quoted:  # its fallback at best
                    if fallback is None and tokens.issuperset(named.held(row, line)):
                        fallback = (line, keyword, row)
                    continue
                if not tokens.issuperset(named.held(row, line)):
                    continue  # names a product above that this one is not
                if all(line != taken for taken, _, _ in picked):
                    picked.append((line, keyword, row))
        if not picked and fallback is not None:
            picked.append(fallback)
        quoted.update(line for line, _, _ in picked)
        named.add(own)
    return chosen


class _Naming:
    """Which of a growing list of words each line holds, each line tested once against
    each word, when first asked (only the lines considered for a quote are)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._known: set[str] = set()
        self._lines: dict[int, _TestedLine] = {}  # by row

    def add(self, words: Sequence[str]) -> None:
        """Add the words not in the list yet, in order."""
        for word in words:
            if word not in self._known:
                self._known.add(word)
                self.words.append(word)

    def held(self, row: int, line: str) -> list[str]:
        """The words the line (at `row`) holds, whatever its letters' case."""
        tested = self._lines.get(row)
        if tested is None:
            tested = self._lines[row] = _TestedLine(_lowered(line))
        if tested.words < len(self.words):
            lowered = tested.lowered
            tested.held += [word for word in self.words[tested.words :] if word in lowered]
            tested.words = len(self.words)
        return tested.held


@dataclass(slots=True)
class _TestedLine:
    """A line in lower case, the words it holds, and how many of `_Naming.words` it was
    tested for."""

    lowered: str
    held: list[str] = field(default_factory=list)
    words: int = 0


class Evidence:
    """A host's lines (newest first), searchable by keyword whatever their letters' case
    (the model's words are lower case): each keyword's lines are found once, by `str.find`
    over the lines joined, however many products quote it; a line is known by its row."""

    def __init__(
        self,
        lines: Sequence[str],
        *,
        enough: int = 8,
        found: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        """`enough`: how many of a keyword's newest lines are read to choose its quotes.
        `found`: keywords' rows already looked up in these same lines (`found` of another
        `Evidence`, with the same `enough`): not looked up again."""
        self.lines = list(lines)
        self.enough = enough
        self._found = found or {}
        self._text = "\n".join(self.lines)
        self._lowered: str | None = None  # made when a keyword has letters
        # where each line starts in the joined text, and where the next would
        self._starts = list(accumulate(map(add, map(len, self.lines), repeat(1)), initial=0))
        self._readable: dict[str, list[tuple[int, str]]] = {}

    def mentions(self, keyword: str) -> list[str]:
        """The newest lines that hold `keyword` (up to `enough` of them)."""
        return [self.lines[row] for row in self._rows_with(keyword, self.enough)]

    def readable_rows(self, keyword: str) -> list[tuple[int, str]]:
        """`keyword`'s newest lines (up to `enough`), stripped, the ones of the most readable
        length (about 18 characters) first, each with its row (a repeated line's first)."""
        found = self._readable.get(keyword)
        if found is None:
            known = self._found.get(keyword)
            if known is not None:
                found = [(row, self.lines[row].strip()) for row in known]
            else:
                unique: dict[str, int] = {}
                for row in self._rows_with(keyword, self.enough):
                    if (stripped := self.lines[row].strip()) and stripped not in unique:
                        unique[stripped] = row
                found = sorted(
                    ((row, s) for s, row in unique.items()), key=lambda r: abs(len(r[1]) - 18)
                )
            self._readable[keyword] = found
        return found

    def found(self) -> dict[str, list[int]]:
        """The keywords looked up so far (`readable_rows`) and their rows, in that order."""
        return {keyword: [row for row, _ in rows] for keyword, rows in self._readable.items()}

    def _rows_with(self, keyword: str, enough: int) -> list[int]:
        text = self._text if keyword == keyword.upper() else self._lowered_text()
        rows: list[int] = []
        position = text.find(keyword) if keyword else -1
        while position >= 0 and len(rows) < enough:
            row = bisect_right(self._starts, position) - 1
            rows.append(row)
            following = self._starts[row + 1] if row + 1 < len(self._starts) else len(text)
            position = text.find(keyword, following)
        return rows

    def _lowered_text(self) -> str:
        """The joined lines in lower case (a line keeps its case if lowering changes its
        length), for the model's words in Latin letters: fans write 维生素C and iPhone."""
        if self._lowered is None:
            lowered = self._text.lower()
            self._lowered = (
                lowered if len(lowered) == len(self._text) else "\n".join(map(_lowered, self.lines))
            )
        return self._lowered


def _lowered(line: str) -> str:
    """`line` in lower case where that keeps its length (the model's words are lower case)."""
    lowered = line.lower()
    return lowered if len(lowered) == len(line) else line


def _excerpt(line: str, keyword: str, limit: int = QUOTE_CHARS) -> str:
    """`line`, or `limit` of its characters around `keyword` when it is longer."""
    if len(line) <= limit:
        return line
    found = max(_lowered(line).find(keyword), 0)
    start = max(0, min(found - limit // 3, len(line) - limit))
    end = start + limit
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
