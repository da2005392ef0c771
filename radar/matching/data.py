"""Everything matching reads from the store, loaded once for a model."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine

from radar.corpus import Document, load_documents
from radar.matching.categories import CategoryModel, attach_categories
from radar.matching.history import Outcome, load_catalogue, load_outcomes, load_streamer_ids
from radar.matching.products import ProductVectors, build_product_vectors
from radar.matching.profiles import HostProfile, ProfileSettings, build_profiles
from radar.topics import TopicModel
from radar.topics.word_vectors import WordVectors


@dataclass
class MatchingData:
    """The catalogue in topic space, every host's profile and documents, the outcomes."""

    catalogue: ProductVectors
    profiles: dict[str, HostProfile]
    outcomes: list[Outcome]
    host_documents: dict[str, list[Document]]


def load_matching_data(
    engine: Engine,
    topics: TopicModel,
    *,
    settings: ProfileSettings,
    shrinkage: float,
    categories: CategoryModel | None = None,
    documents: list[Document] | None = None,
    words: WordVectors | None = None,
) -> MatchingData:
    """Load and transform the store's data for `topics` and `words` (pass `documents` if
    already loaded)."""
    documents = documents if documents is not None else load_documents(engine)
    catalogue = attach_categories(
        build_product_vectors(topics, load_catalogue(engine), shrinkage=shrinkage, words=words),
        categories,
        topics,
    )
    profiles = build_profiles(
        documents, topics, streamer_ids=load_streamer_ids(engine), settings=settings, words=words
    )
    host_documents: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.streamer_id is not None:
            host_documents[doc.streamer_id].append(doc)
    return MatchingData(catalogue, profiles, load_outcomes(engine), dict(host_documents))
