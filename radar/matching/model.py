"""The radar model: what the registry versions and serving loads.

A topic model, the pair model that turns affinities into a fit, and the settings of
profiles and product vectors, saved together in one folder:

    topic_model/   the TopicModel (gensim files, manifest.json)
    word_vectors.npz  the word vectors beside the topics (`radar.topics.word_vectors`)
    matching.json  schema version, fit model, profile settings, shrinkage, evaluation
    peers.npz      warm hosts' profiles and what converted with them (if any)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from features.documents import Document
from radar.atomic import atomic_directory
from radar.matching.categories import CategoryModel, attach_categories
from radar.matching.fit import AffinityFit, Fit, fit_from_dict
from radar.matching.peers import PeerTable
from radar.matching.products import ProductText, ProductVectors, build_product_vectors
from radar.matching.profiles import (
    BuiltProfiles,
    DocumentTopics,
    HostProfile,
    ProfileSettings,
    build_profiles_from,
)
from radar.topics import TopicModel
from radar.topics.word_vectors import WordVectors

SCHEMA_VERSION = 3
"""3: word vectors and the `word_similarity` feature. 2: the fit's curves are capped knots
(`radar.matching.fit.Curve`), with an affinity floor."""
TOPIC_MODEL_DIR = "topic_model"
PEERS_FILE = "peers.npz"


@dataclass
class RadarModel:
    """Everything scoring needs besides the store's data."""

    topics: TopicModel
    fit: Fit = field(default_factory=AffinityFit)
    profiles: ProfileSettings = field(default_factory=ProfileSettings)
    product_shrinkage: float = 0.5
    evaluation: dict[str, float] = field(default_factory=dict)
    peers: PeerTable | None = None
    categories: CategoryModel | None = None
    words: WordVectors | None = None
    identity: str | None = None
    """The digest of the model's files when it came from the registry (`radar.digests`):
    what cached files and derived data are keyed by. Not saved (it is the files' digest)."""

    def catalogue(self, products: Sequence[ProductText]) -> ProductVectors:
        """The products' vectors as this model places them: topics, categories, words."""
        return attach_categories(
            build_product_vectors(
                self.topics, products, shrinkage=self.product_shrinkage, words=self.words
            ),
            self.categories,
            self.topics,
        )

    def host_profiles(
        self, documents: Iterable[Document], streamer_ids: Sequence[str]
    ) -> dict[str, HostProfile]:
        """These hosts' profiles from their documents, as this model builds them."""
        return self.build_host_profiles(documents, streamer_ids).profiles

    def build_host_profiles(
        self,
        documents: Iterable[Document],
        streamer_ids: Sequence[str],
        known: Mapping[str, DocumentTopics] | None = None,
    ) -> BuiltProfiles:
        """`host_profiles`, with what each document gave them; documents in `known` (by
        `document_key`, as this model inferred them) are not inferred again."""
        return build_profiles_from(
            documents,
            self.topics,
            streamer_ids=streamer_ids,
            known=known,
            settings=self.profiles,
            words=self.words,
        )

    def save(self, directory: Path) -> None:
        """Write the model to `directory` atomically."""
        with atomic_directory(Path(directory)) as staging:
            self.topics.save(staging / TOPIC_MODEL_DIR)
            matching = {
                "schema_version": SCHEMA_VERSION,
                "fit": self.fit.to_dict(),
                "profiles": asdict(self.profiles),
                "product_shrinkage": self.product_shrinkage,
                "evaluation": self.evaluation,
                "categories": None if self.categories is None else self.categories.to_dict(),
            }
            if self.peers is not None:
                self.peers.save(staging / PEERS_FILE)
            if self.words is not None:
                self.words.save(staging)
            (staging / "matching.json").write_text(
                json.dumps(matching, ensure_ascii=False, indent=2), encoding="utf-8"
            )

    @classmethod
    def load(cls, directory: Path) -> RadarModel:
        """Read a model written by `save`; refuses an unknown schema version."""
        directory = Path(directory)
        matching: dict[str, Any] = json.loads(
            (directory / "matching.json").read_text(encoding="utf-8")
        )
        if matching.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                "this radar model is of schema version "
                f"{matching.get('schema_version')!r}; this radar reads {SCHEMA_VERSION}. "
                "Retrain it (radar train)."
            )
        peers = directory / PEERS_FILE
        return cls(
            peers=PeerTable.load(peers) if peers.is_file() else None,
            topics=TopicModel.load(directory / TOPIC_MODEL_DIR),
            fit=fit_from_dict(matching["fit"]),
            profiles=ProfileSettings(**matching["profiles"]),
            product_shrinkage=float(matching["product_shrinkage"]),
            evaluation=dict(matching.get("evaluation", {})),
            categories=CategoryModel.from_dict(matching["categories"])
            if matching.get("categories")
            else None,
            words=WordVectors.load(directory),
        )
