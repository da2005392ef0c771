"""Matching behaviour on the generated demo data with a real store and a trained model."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from radar.demo.generator import generate_demo_data
from radar.ingest import ingest_directory
from radar.matching.profiles import INSUFFICIENT_DATA
from radar.service.service import RadarService
from radar.store import open_store
from radar.store.documents import load_documents
from radar.store.reads import load_placements
from radar.topics import TopicModel
from training.run import build_radar_model

LIMITS = {"comments": 2000, "transcripts": 200_000, "products": 20_000}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("matching")
    generate_demo_data(folder / "data", hosts=24, products=360, seed=5, weeks=8)
    engine = open_store(f"sqlite:///{folder / 'radar.db'}")
    ingest_directory(folder / "data", engine, quarantine_root=folder / "q", max_text_chars=LIMITS)
    documents = load_documents(engine)
    topics = TopicModel(num_topics=20, random_state=2).fit([doc.text for doc in documents])
    model, reliability = build_radar_model(engine, topics, documents, min_fit=0.8)
    with (folder / "data" / "streamers.csv").open(encoding="utf-8") as handle:
        streamers = {row["streamer_id"]: row["tags"] for row in csv.DictReader(handle)}
    with (folder / "data" / "products.csv").open(encoding="utf-8") as handle:
        categories = {row["product_id"]: row["category"] for row in csv.DictReader(handle)}
    return {
        "folder": folder,
        "engine": engine,
        "model": model,
        "streamers": streamers,
        "categories": categories,
        "reliability": reliability,
    }


def test_the_fit_is_calibrated_on_past_placements(world: dict) -> None:
    model = world["model"]
    assert model.fit.calibrated
    print({key: round(value, 3) for key, value in model.evaluation.items()})
    assert model.evaluation["fit_holdout_ece"] < 0.15
    assert model.evaluation["fit_holdout_placements"] > 50


def test_a_single_category_host_is_led_by_its_category(world: dict) -> None:
    service = RadarService(world["engine"], world["model"])
    single = {host: tags for host, tags in world["streamers"].items() if tags and "|" not in tags}
    checked = 0
    for host, category in sorted(single.items()):
        result = service.recommend(host, top_k=5, min_fit=0.0)
        if not result.items:
            continue
        top = [world["categories"][item.product_id] for item in result.items[:3]]
        assert top.count(category) >= 2, (host, category, top)
        checked += 1
    assert checked >= 5


def test_a_cosmetics_host_gets_cosmetics_with_reasons(world: dict) -> None:
    service = RadarService(world["engine"], world["model"])
    hosts = [h for h, tags in world["streamers"].items() if tags.split("|")[0] == "美妆"]
    result = service.recommend(hosts[0], top_k=5, min_fit=0.0)
    assert world["categories"][result.items[0].product_id] == "美妆"
    first = result.items[0]
    assert first.reasons.topics and first.reasons.keywords
    assert "共同主题" in first.reasons.text


def test_already_placed_products_are_absent(world: dict) -> None:
    service = RadarService(world["engine"], world["model"])
    for host, placed in list(load_placements(world["engine"])[1].items())[:5]:
        result = service.recommend(host, top_k=50, min_fit=0.0)
        assert placed and not placed & {item.product_id for item in result.items}


def test_a_host_without_text_has_insufficient_data(world: dict) -> None:
    service = RadarService(world["engine"], world["model"])
    silent = [h for h in world["streamers"] if not load_documents(world["engine"], streamer_id=h)]
    assert silent
    result = service.recommend(silent[0], min_fit=0.8)
    assert result.state == INSUFFICIENT_DATA and result.items == []


def test_fan_comments_about_a_topic_move_its_products_up(world: dict, tmp_path: Path) -> None:
    """Add comments about pet food to a non-pet host: pet products must rise."""
    data = world["folder"] / "data"
    pets_host = next(
        h
        for h, tags in world["streamers"].items()
        if "宠物" not in tags and load_documents(world["engine"], streamer_id=h)
    )
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    ingest_directory(data, engine, quarantine_root=tmp_path / "q", max_text_chars=LIMITS)
    before = RadarService(engine, world["model"], model_version="1")  # profiles stored
    pet_rows = [
        row for row, p in enumerate(before.recommender.catalogue.products) if p.category == "宠物"
    ]
    profile = before.profile(pets_host)
    history = before.history(pets_host)[0]
    fits_before = before.recommender.fits(profile, history)[pet_rows]

    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(data / "streamers.csv", extra / "streamers.csv")
    lines = [
        "猫粮适合幼猫吃吗",
        "狗粮有没有小包装",
        "猫砂结团吗，除臭怎么样",
        "冻干猫咪爱吃吗",
        "驱虫药多久用一次",
        "我家狗狗挑食，这个狗粮适口性好吗",
    ] * 6
    with (extra / "comments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["streamer_id", "created_at", "text", "user_id"])
        for index, text in enumerate(lines):
            writer.writerow(
                [pets_host, f"2026-10-20T20:{index % 60:02d}:00+08:00", text, f"fan{index}"]
            )
    ingest_directory(extra, engine, quarantine_root=tmp_path / "q", max_text_chars=LIMITS)
    after = RadarService(engine, world["model"], model_version="1")  # new data: rebuilt
    profile_after = after.profile(pets_host)
    fits_after = after.recommender.fits(profile_after, history)[pet_rows]
    assert np.median(fits_after) > np.median(fits_before)
    assert np.mean(fits_after > fits_before) > 0.9
