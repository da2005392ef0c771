"""One weighting of a host's documents: the profile's and the timeline's."""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest

from features.documents import TRANSCRIPT, Document
from radar.matching.profiles import build_profiles, document_weights
from radar.matching.timeline import profile_timeline
from radar.topics import TopicModel

THEMES = ["粉底液 遮瑕 持妆 控油 气垫".split(), "羽绒服 保暖 棉服 轻薄 鸭绒".split()]


@pytest.fixture(scope="module")
def topics() -> TopicModel:
    rng = random.Random(3)
    texts = ["，".join(rng.choice(THEMES[i % 2]) for _ in range(20)) for i in range(60)]
    return TopicModel(num_topics=2, no_below=2, no_above=0.9, random_state=1).fit(texts)


def test_a_document_weighs_its_modelled_tokens_halved_every_half_life() -> None:
    counts, weights = document_weights(
        [["粉底液", "遮瑕", "火箭"], ["粉底液"], []],
        {"粉底液", "遮瑕"},
        ages_days=np.array([0.0, 28.0, 3.0]),
        half_life_days=28.0,
    )
    assert counts.tolist() == [2.0, 1.0, 0.0]
    assert weights.tolist() == [2.0, 0.5, 0.0]
    assert document_weights([["火箭", "遮瑕"]], {"遮瑕"})[1].tolist() == [1.0]  # no ages


def test_a_week_of_the_timeline_weighs_documents_as_the_profile_does(
    topics: TopicModel,
) -> None:
    monday = datetime(2026, 11, 2, 20)
    texts = ["粉底液，遮瑕，宇宙飞船，火箭发射", "羽绒服，保暖，棉服，轻薄，鸭绒，星际穿越"] * 10
    documents = [Document(TRANSCRIPT, f"t{i}", text, "h", monday) for i, text in enumerate(texts)]
    [point] = profile_timeline(documents, topics)
    profile = build_profiles(documents, topics, streamer_ids=["h"])["h"]
    every_token = sum(len(tokens) for tokens in topics.tokenize(texts))
    assert profile.talk is not None and every_token > profile.talk_tokens  # words it ignores
    assert point.tokens == profile.talk_tokens
    np.testing.assert_allclose(point.topics, profile.talk)
