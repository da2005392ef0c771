"""Host profiles are stored with the model version that made them and reused until the
model version or the store's data changes."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select, update

from radar.matching import store_recommender
from radar.matching.derived import (
    data_version,
    load_catalogue_vectors,
    load_profiles,
    save_profiles,
)
from radar.matching.profiles import HostProfile
from radar.matching.store_recommender import StoreRecommender
from radar.settings import Settings
from radar.store import open_store
from radar.store.models import Base, HostProfileRow, IngestRun
from serving.registry import load_champion


def _store_copy(trained_home: Path, tmp_path: Path) -> tuple[Engine, StoreRecommender]:
    settings = Settings(home=trained_home)
    for part in trained_home.glob("radar.db*"):  # the database and its WAL
        shutil.copy(part, tmp_path / part.name)
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return engine, StoreRecommender(engine, loaded.model, model_version=loaded.version)


def test_profiles_are_saved_reused_and_renewed(trained_home: Path, tmp_path: Path) -> None:
    engine, scorer = _store_copy(trained_home, tmp_path)
    first = {r.streamer_id: r for r in scorer.recommend_all(top_k=5, min_fit=0.5)}
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(HostProfileRow))
        versions = set(connection.scalars(select(HostProfileRow.data_version)))
    assert stored == len(first) and versions == {data_version(engine)}
    assert first["h0002"].state == "ready" and first["h0002"].items

    with engine.begin() as connection:  # mark one stored profile: is it read back?
        connection.execute(
            update(HostProfileRow)
            .where(HostProfileRow.streamer_id == "h0002")
            .values(state="insufficient_data", combined=None)
        )
    reused = StoreRecommender(engine, scorer.model, model_version=scorer.model_version)
    assert reused.recommend("h0002", top_k=5, min_fit=0.5).state == "insufficient_data"

    with engine.begin() as connection:  # new data arrives: profiles are built again
        moment = datetime(2030, 1, 1)
        connection.execute(
            IngestRun.__table__.insert().values(
                run_id="later", source="test", started_at=moment, finished_at=moment, counts="{}"
            )
        )
    renewed = StoreRecommender(engine, scorer.model, model_version=scorer.model_version)
    again = renewed.recommend("h0002", top_k=5, min_fit=0.5)
    assert again.state == "ready"
    assert [i.product_id for i in again.items] == [i.product_id for i in first["h0002"].items]


def test_saved_profiles_load_back_equal(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    profiles = [
        HostProfile(
            "a",
            "ready",
            np.array([0.25, 0.75]),
            None,
            np.array([0.5, 0.5]),
            40,
            0,
            ["口红", "显白"],
            ["这个口红显白吗"],
        ),
        HostProfile("b", "insufficient_data", None, None, None, 3, 1, []),
    ]
    save_profiles(engine, "7", "run-1", profiles)
    save_profiles(engine, "7", "run-1", profiles[:1])  # replacing is harmless
    loaded = load_profiles(engine, "7", "run-1", ["a", "b", "c"])
    assert set(loaded) == {"a", "b"}
    assert np.array_equal(loaded["a"].talk, profiles[0].talk) and loaded["a"].fans is None
    assert loaded["a"].keywords == ["口红", "显白"] and loaded["b"].combined is None
    assert loaded["a"].evidence == ["这个口红显白吗"] and loaded["b"].evidence == []
    assert load_profiles(engine, "8", "run-1", ["a"]) == {}
    assert load_profiles(engine, "7", "run-2", ["a"]) == {}


def test_keywords_stored_as_weights_load_heaviest_first(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    older = HostProfile("a", "ready", None, None, None, 40, 0, [], [])
    save_profiles(engine, "7", "run-1", [older])
    table = Base.metadata.tables[HostProfileRow.__tablename__]
    with engine.begin() as connection:  # as profiles were stored before 2026-11-26
        connection.execute(
            update(table).values(
                keywords=json.dumps({"显白": 1.0, "口红": 2.5, "试色": 1.0, "零": 0})
            )
        )
    loaded = load_profiles(engine, "7", "run-1", ["a"])
    assert loaded["a"].keywords == ["口红", "显白", "试色"]


def test_catalogue_vectors_are_saved_and_reused(trained_home: Path, tmp_path: Path) -> None:
    engine, scorer = _store_copy(trained_home, tmp_path)
    built = scorer.recommender.catalogue
    products = built.products
    stored = load_catalogue_vectors(engine, scorer.model_version, data_version(engine), products)
    assert stored is not None
    assert np.array_equal(stored.matrix, built.matrix)
    assert np.array_equal(stored.categories, built.categories)
    assert list(stored.tokens) == list(built.tokens)
    again = StoreRecommender(engine, scorer.model, model_version=scorer.model_version)
    assert np.array_equal(again.recommender.product_vectors, scorer.recommender.product_vectors)
    assert load_catalogue_vectors(engine, scorer.model_version, "other", products) is None
    assert (
        load_catalogue_vectors(engine, scorer.model_version, data_version(engine), products[1:])
        is None
    )


def test_scoring_in_chunks_gives_the_same_lists(
    trained_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, scorer = _store_copy(trained_home, tmp_path)
    whole = list(scorer.recommend_all(top_k=5, min_fit=0.5))
    monkeypatch.setattr(store_recommender, "HOST_CHUNK", 5)
    heard: list[tuple[int, int]] = []
    fresh = StoreRecommender(engine, scorer.model, model_version="2")  # profiles built anew
    chunked = list(fresh.recommend_all(top_k=5, min_fit=0.5, progress=lambda *p: heard.append(p)))
    assert [r.streamer_id for r in chunked] == [r.streamer_id for r in whole]
    assert [[i.product_id for i in r.items] for r in chunked] == [
        [i.product_id for i in r.items] for r in whole
    ]
    assert heard[-1] == (len(whole), len(whole)) and len(heard) >= 3
