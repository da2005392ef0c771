"""Everything matching reads from the store, loaded once for a model."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine

from features.documents import Document
from radar.matching.history import Outcome
from radar.matching.model import RadarModel
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.store.documents import load_documents
from radar.store.reads import load_catalogue, load_host_ids, load_outcomes


@dataclass
class MatchingData:
    """The catalogue in topic space, every host's profile and documents, the outcomes."""

    catalogue: ProductVectors
    profiles: dict[str, HostProfile]
    outcomes: list[Outcome]
    host_documents: dict[str, list[Document]]


def load_matching_data(
    engine: Engine, model: RadarModel, *, documents: list[Document] | None = None
) -> MatchingData:
    """Load the store's data and place it with `model` (pass `documents` if already
    loaded)."""
    documents = documents if documents is not None else load_documents(engine)
    catalogue = model.catalogue(load_catalogue(engine))
    profiles = model.host_profiles(documents, load_host_ids(engine))
    host_documents: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.streamer_id is not None:
            host_documents[doc.streamer_id].append(doc)
    return MatchingData(catalogue, profiles, load_outcomes(engine), dict(host_documents))
