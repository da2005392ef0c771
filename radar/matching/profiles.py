"""Host profiles: what a host talks about and what the host's fans ask for, as topics.

Each of a host's documents (transcript passages, pooled comments) gets a topic
distribution; a source's profile is their average weighted by token count and by
recency (weight halves every `half_life_days` before `as_of`). The combined profile mixes
the talk and fans profiles with `talk_weight`/`fans_weight`, renormalised when one is
missing. A host with fewer than `min_tokens` modelled tokens is `insufficient_data`. With
word vectors, the host's word vector mixes those of its talk and its fans (each from its
recency-weighted word counts) with the same weights.

What a profile takes from each document (`DocumentTopics`: its topic weights and modelled
word counts) depends on the document and the model alone, and is kept: after new text, a
profile is built again from its documents' kept parts, only the new documents inferred,
and comes out exactly (bit for bit) as a build from scratch. Only the weights, which a
newer document changes for the older ones, are computed again.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

import numpy as np

from features.documents import COMMENTS, SENTENCE_ENDS, TRANSCRIPT, Document, split_sentences
from radar.topics import TopicModel
from radar.topics.word_vectors import WordVectors, mix

READY = "ready"
INSUFFICIENT_DATA = "insufficient_data"
MAX_KEYWORDS = 300
"""A profile keeps the host's heaviest keywords (reasons quote the ones a product shares)."""
MAX_EVIDENCE_LINES = 400
"""And the host's newest distinct lines, where reasons look for a line to quote."""


@dataclass(frozen=True)
class ProfileSettings:
    """How profiles are built (documented defaults; all configurable)."""

    talk_weight: float = 0.5
    fans_weight: float = 0.5
    half_life_days: float = 28.0
    min_tokens: int = 30


@dataclass
class HostProfile:
    """One host's topic profile."""

    streamer_id: str
    state: str
    talk: np.ndarray | None = None
    fans: np.ndarray | None = None
    combined: np.ndarray | None = None
    talk_tokens: int = 0
    fans_tokens: int = 0
    keywords: list[str] = field(default_factory=list)
    """The host's heaviest modelled words (by recency-weighted count), heaviest first."""
    evidence: list[str] = field(default_factory=list)
    words: np.ndarray | None = None
    """The unit vector of the host's words (None without word vectors or words)."""

    @property
    def ready(self) -> bool:
        return self.state == READY


def build_profiles(
    documents: Iterable[Document],
    model: TopicModel,
    *,
    streamer_ids: Sequence[str],
    as_of: datetime | None = None,
    settings: ProfileSettings | None = None,
    words: WordVectors | None = None,
) -> dict[str, HostProfile]:
    """Profiles for every id in `streamer_ids` from their transcript and comment documents
    (with their word vectors, given `words`).

    Ages are counted back from `as_of`, by default each host's latest document.
    """
    return build_profiles_from(
        documents, model, streamer_ids=streamer_ids, as_of=as_of, settings=settings, words=words
    ).profiles


def document_key(doc: Document) -> str:
    """What names a document's inference: its kind, key and a digest of its text (a text
    changed under the same key is inferred again)."""
    digest = hashlib.blake2b(doc.text.encode("utf-8"), digest_size=12).hexdigest()
    return f"{doc.kind}:{doc.key}:{digest}"


@dataclass
class DocumentTopics:
    """What a profile takes from one document: its topic weights and its modelled words
    with their counts (in the order they first appear). Kept, it spares the document's
    tokenising and inference when its host's profile is built again."""

    theta: np.ndarray
    words: dict[str, int]

    @property
    def tokens(self) -> int:
        """The document's modelled tokens."""
        return sum(self.words.values())


@dataclass
class BuiltProfiles:
    """Profiles, what each host's documents gave them (by `document_key`), and how many
    documents had to be tokenised and inferred (the others were known)."""

    profiles: dict[str, HostProfile]
    documents: dict[str, dict[str, DocumentTopics]]
    inferred: int


def build_profiles_from(
    documents: Iterable[Document],
    model: TopicModel,
    *,
    streamer_ids: Sequence[str],
    known: Mapping[str, DocumentTopics] | None = None,
    as_of: datetime | None = None,
    settings: ProfileSettings | None = None,
    words: WordVectors | None = None,
) -> BuiltProfiles:
    """`build_profiles`, inferring only the documents whose `document_key` is not in
    `known`: a profile is the same whichever of its documents were known, since a
    document's topics depend on nothing but its text and the model."""
    config = settings or ProfileSettings()
    grouped: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.streamer_id is not None and doc.kind in (TRANSCRIPT, COMMENTS):
            grouped[(doc.streamer_id, doc.kind)].append(doc)
    keys = {id(doc): document_key(doc) for docs in grouped.values() for doc in docs}
    topics_of = dict(known or {})
    new = [doc for docs in grouped.values() for doc in docs if keys[id(doc)] not in topics_of]
    topics_of.update(zip((keys[id(doc)] for doc in new), _infer(new, model), strict=True))
    profiles, kept = {}, {}
    for streamer_id in streamer_ids:
        talk_docs = grouped.get((streamer_id, TRANSCRIPT), [])
        fans_docs = grouped.get((streamer_id, COMMENTS), [])
        times = [doc.time for doc in talk_docs + fans_docs if doc.time is not None]
        host_as_of = as_of or (max(times) if times else datetime.min)
        talk = _source_profile(
            talk_docs, [topics_of[keys[id(d)]] for d in talk_docs], host_as_of, config
        )
        fans = _source_profile(
            fans_docs, [topics_of[keys[id(d)]] for d in fans_docs], host_as_of, config
        )
        profile = _combine(streamer_id, talk, fans, config)
        profile.evidence = evidence_lines(talk_docs, fans_docs)
        if words is not None:
            profile.words = mix(
                [
                    (config.talk_weight, words.embed_weights(talk.keywords)),
                    (config.fans_weight, words.embed_weights(fans.keywords)),
                ]
            )
        profiles[streamer_id] = profile
        kept[streamer_id] = {keys[id(d)]: topics_of[keys[id(d)]] for d in talk_docs + fans_docs}
    return BuiltProfiles(profiles, kept, len(new))


def _infer(documents: list[Document], model: TopicModel) -> list[DocumentTopics]:
    """Each document's topics and modelled words, every document in one call: inference is
    vectorised over documents, and a document's weights do not depend on the others it is
    inferred with."""
    tokens = model.tokenize(doc.text for doc in documents)
    thetas = model.transform_tokens(tokens)
    dictionary = model.dictionary_.token2id
    return [
        DocumentTopics(theta, dict(Counter(t for t in doc_tokens if t in dictionary)))
        for doc_tokens, theta in zip(tokens, thetas, strict=True)
    ]


def evidence_lines(talk_docs: list[Document], fans_docs: list[Document]) -> list[str]:
    """A host's distinct lines to quote as evidence (stripped, without the mark that ends
    them), newest first: fan comments, then the sentences of its own words. Fans repeat
    themselves; a repeat would take the place of a line a product could quote."""

    def newest_first(docs: list[Document]) -> list[Document]:
        return sorted(docs, key=lambda doc: doc.time or datetime.min, reverse=True)

    fans = (line for doc in newest_first(fans_docs) for line in doc.text.split("\n"))
    talk = (sentence for doc in newest_first(talk_docs) for sentence in split_sentences(doc.text))
    lines: dict[str, None] = {}
    for line in chain(fans, talk):
        if stripped := line.strip().rstrip(SENTENCE_ENDS).strip():
            lines[stripped] = None
            if len(lines) == MAX_EVIDENCE_LINES:
                break
    return list(lines)


def document_weights(
    tokens: Sequence[Sequence[str]],
    known: Container[str],
    *,
    ages_days: np.ndarray | None = None,
    half_life_days: float = ProfileSettings.half_life_days,
) -> tuple[np.ndarray, np.ndarray]:
    """Each document's modelled tokens (those `known` to the model's dictionary), and its
    weight in its source's average: those tokens, halved every `half_life_days` of its age
    (`ages_days`; None: all of the same age). Profiles and the timeline weigh alike."""
    counts = np.array([sum(token in known for token in doc) for doc in tokens], dtype=float)
    return counts, _recency_weights(counts, ages_days, half_life_days)


def _recency_weights(
    counts: np.ndarray, ages_days: np.ndarray | None, half_life_days: float
) -> np.ndarray:
    if ages_days is None:
        return counts
    return counts * 0.5 ** (np.clip(ages_days, 0, None) / half_life_days)


@dataclass
class _Source:
    vector: np.ndarray | None
    tokens: int
    keywords: dict[str, float]


def _source_profile(
    docs: list[Document], topics: list[DocumentTopics], as_of: datetime, config: ProfileSettings
) -> _Source:
    if not docs:
        return _Source(None, 0, {})
    ages = np.array([(as_of - (doc.time or as_of)).total_seconds() / 86400 for doc in docs])
    counts = np.array([part.tokens for part in topics], dtype=float)
    weights = _recency_weights(counts, ages, config.half_life_days)
    if counts.sum() == 0:
        return _Source(None, 0, {})
    # a sum over rows, not BLAS: its order of additions never depends on the arrays' memory
    thetas = np.vstack([part.theta for part in topics])
    vector = (weights[:, np.newaxis] * thetas).sum(axis=0) / weights.sum()
    keywords: dict[str, float] = defaultdict(float)
    for part, weight in zip(topics, weights, strict=True):
        for token, count in part.words.items():
            keywords[token] += weight * count
    return _Source(vector, int(counts.sum()), dict(keywords))


def _combine(
    streamer_id: str, talk: _Source, fans: _Source, config: ProfileSettings
) -> HostProfile:
    total = talk.tokens + fans.tokens
    summed = dict(talk.keywords)
    for token, weight in fans.keywords.items():
        summed[token] = summed.get(token, 0.0) + weight
    heaviest = sorted(summed.items(), key=lambda item: (-item[1], item[0]))[:MAX_KEYWORDS]
    keywords = [token for token, weight in heaviest if weight > 0]
    if total < config.min_tokens:
        return HostProfile(
            streamer_id,
            INSUFFICIENT_DATA,
            talk.vector,
            fans.vector,
            None,
            talk.tokens,
            fans.tokens,
            keywords,
        )
    parts = [(config.talk_weight, talk.vector), (config.fans_weight, fans.vector)]
    present = [(weight, vector) for weight, vector in parts if vector is not None and weight > 0]
    if not present:  # the only source present was given weight 0: use it anyway
        present = [(1.0, vector) for _, vector in parts if vector is not None]
    combined = sum(weight * vector for weight, vector in present) / sum(w for w, _ in present)
    return HostProfile(
        streamer_id,
        READY,
        talk.vector,
        fans.vector,
        np.asarray(combined),
        talk.tokens,
        fans.tokens,
        keywords,
    )
