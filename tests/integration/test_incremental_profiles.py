"""A week of new text rebuilds only the profiles it touches, inferring only its new
documents, and the profiles come out exactly as a full rebuild makes them."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, delete, select

from radar.ingest import ingest_directory
from radar.matching.profiles import HostProfile
from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store
from radar.store.derived import PROFILE_TABLES, data_version, load_profiles
from radar.store.documents import load_documents
from radar.store.models import Base, Comment, Transcript
from radar.store.reads import load_host_ids
from radar.topics import TopicModel

NEW_TEXT_HOSTS = ("h0002", "h0005")
"""Hosts that get a new session (a transcript and its comments) a week after their last."""
NEW_COMMENT_HOST = "h0009"
"""A host that gets one more comment in its latest session (a pooled document changes)."""
DERIVED_TABLES = ("host_profiles", "catalogue_vectors", "host_documents")
"""What a model derives from the store: emptied in the copy, so that a test sees only what
it built itself."""


def _store_copy(trained_home: Path, tmp_path: Path) -> tuple[Engine, RadarService]:
    """A copy of the trained store without derived data, and a service with the shared
    home's champion (only read)."""
    settings = Settings(home=trained_home)
    for part in trained_home.glob("radar.db*"):
        shutil.copy(part, tmp_path / part.name)
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    with engine.begin() as connection:
        for name in DERIVED_TABLES:
            connection.execute(delete(Base.metadata.tables[name]))
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return engine, RadarService(engine, loaded.model, model_version=loaded.version)


def _ingest_new_text(engine: Engine, folder: Path) -> None:
    """Ingest, as `radar ingest` does, a new session for each of `NEW_TEXT_HOSTS` (its
    latest transcript and comments again, seven days later) and one more comment in
    `NEW_COMMENT_HOST`'s latest session."""
    transcripts, comments = [], []
    with engine.connect() as connection:
        for host in NEW_TEXT_HOSTS:
            latest = connection.execute(
                select(Transcript)
                .where(Transcript.streamer_id == host)
                .order_by(Transcript.started_at.desc())
            ).first()
            assert latest is not None
            session = f"{latest.session_id}-next-week"
            started = latest.started_at + timedelta(days=7)
            transcripts.append([session, host, started.isoformat(), latest.text + "新品下周到。"])
            said = connection.execute(
                select(Comment).where(Comment.session_id == latest.session_id)
            ).all()
            comments += [
                [
                    f"{c.comment_id}-next",
                    host,
                    (c.created_at + timedelta(days=7)).isoformat(),
                    c.text,
                    session,
                ]
                for c in said
            ]
        last = connection.execute(
            select(Comment)
            .where(Comment.streamer_id == NEW_COMMENT_HOST)
            .order_by(Comment.created_at.desc())
        ).first()
        assert last is not None
        later = (last.created_at + timedelta(minutes=1)).isoformat()
        comments.append(["one-more", NEW_COMMENT_HOST, later, "这个口红还有货吗", last.session_id])
    folder.mkdir()
    _write(
        folder / "transcripts.csv", ["session_id", "streamer_id", "started_at", "text"], transcripts
    )
    _write(
        folder / "comments.csv",
        ["comment_id", "streamer_id", "created_at", "text", "session_id"],
        comments,
    )
    report = ingest_directory(
        folder,
        engine,
        quarantine_root=folder / "quarantine",
        max_text_chars=Settings(home=folder).max_text_chars(),
    )
    assert report.tables["transcripts"].loaded == len(NEW_TEXT_HOSTS)
    assert report.tables["comments"].loaded == len(comments)


def _write(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def _count_tokenised(topics: TopicModel, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A running count of the texts `topics` tokenises from now on (the model's own
    tokeniser still does the work)."""
    counted = [0]
    tokenize = topics.tokenize

    def counting(texts: Iterable[str]) -> list[list[str]]:
        tokens = tokenize(texts)
        counted[0] += len(tokens)
        return tokens

    monkeypatch.setattr(topics, "tokenize", counting)
    return counted


def _documents(engine: Engine, hosts: Sequence[str]) -> set[tuple[str, str, str]]:
    """The hosts' documents as (kind, key, text)."""
    documents = load_documents(engine, streamer_ids=hosts, products=False)
    return {(doc.kind, doc.key, doc.text) for doc in documents}


def _assert_same(built: HostProfile, rebuilt: HostProfile) -> None:
    """Two profiles equal in every part, bit for bit."""
    for part in ("talk", "fans", "combined", "words"):
        one, other = getattr(built, part), getattr(rebuilt, part)
        assert (one is None) == (other is None), (built.streamer_id, part)
        assert one is None or np.array_equal(one, other), (built.streamer_id, part)
    for part in ("state", "talk_tokens", "fans_tokens", "keywords", "evidence"):
        assert getattr(built, part) == getattr(rebuilt, part), (built.streamer_id, part)


def test_new_text_rebuilds_only_its_hosts_exactly_as_a_full_rebuild(
    trained_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, service = _store_copy(trained_home, tmp_path)
    hosts = load_host_ids(engine)
    list(service.recommend_all(top_k=5, min_fit=0.5))  # every profile built and stored
    first = load_profiles(
        engine, service.derived_key or "", data_version(engine, PROFILE_TABLES), hosts
    )
    before = _documents(engine, hosts)

    _ingest_new_text(engine, tmp_path / "next-week")
    new_documents = _documents(engine, hosts) - before
    assert {kind for kind, _, _ in new_documents} == {"transcript", "comments"}

    renewed = RadarService(engine, service.model, model_version=service.model_version)
    tokenised = _count_tokenised(service.model.topics, monkeypatch)
    list(renewed.recommend_all(top_k=5, min_fit=0.5))
    assert tokenised[0] == len(new_documents)  # no other document was inferred again
    assert len(new_documents) < len(before) / 10

    version = data_version(engine, PROFILE_TABLES)
    stored = load_profiles(engine, renewed.derived_key or "", version, hosts)
    assert set(stored) == set(hosts)  # every host's profile is current, touched or not
    documents = load_documents(engine, streamer_ids=hosts, products=False)
    from_scratch = service.model.host_profiles(documents, hosts)
    for host in hosts:
        _assert_same(stored[host], from_scratch[host])
    for host in NEW_TEXT_HOSTS:  # the new text did change these
        assert not np.array_equal(stored[host].talk, first[host].talk)
    said = "这个口红还有货吗"
    assert (
        said in stored[NEW_COMMENT_HOST].evidence and said not in first[NEW_COMMENT_HOST].evidence
    )


def test_a_new_model_infers_every_document_again(
    trained_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, service = _store_copy(trained_home, tmp_path)
    hosts = load_host_ids(engine)
    list(service.recommend_all(top_k=5, min_fit=0.5))
    every_document = _documents(engine, hosts)

    other = replace(service.model, identity="another model")
    fresh = RadarService(engine, other, model_version=service.model_version)
    tokenised = _count_tokenised(service.model.topics, monkeypatch)
    list(fresh.recommend_all(top_k=5, min_fit=0.5))
    assert tokenised[0] == len(every_document)
