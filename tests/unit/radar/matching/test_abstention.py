"""A host whose text matches nothing in the catalogue gets no list, and is told why."""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest

from radar.matching.curves import Curve
from radar.matching.fit import FEATURES, FitModel
from radar.matching.history import Outcome
from radar.matching.model import RadarModel
from radar.matching.peers import PeerTable, peer_key
from radar.matching.products import ProductText, build_product_vectors
from radar.matching.profiles import READY, HostProfile
from radar.matching.recommender import NO_FITTING_CATEGORY, HostInput, Recommender
from radar.topics import TopicModel

THEMES = {
    "makeup": "粉底液 遮瑕 持妆 控油 气垫 散粉 底妆 定妆".split(),
    "winter": "羽绒服 保暖 棉服 轻薄 鸭绒 大衣 加厚 防风".split(),
    "books": "小说 作者 情节 读者 章节 译本 故事 文笔".split(),
}


def corpus(seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    themes = list(THEMES.values())
    return ["，".join(rng.choice(themes[i % 3]) for _ in range(24)) for i in range(180)]


@pytest.fixture(scope="module")
def recommender() -> Recommender:
    topics = TopicModel(num_topics=3, no_below=2, no_above=0.9, random_state=1)
    topics.fit(corpus())
    products = [
        ProductText(f"p{i:02d}", " ".join(THEMES[theme][i % 8 : i % 8 + 3]), category)
        for i in range(12)
        for theme, category in (("makeup", "美妆"), ("winter", "服饰"))
    ]
    products = [ProductText(f"{p.product_id}{p.category}", p.title, p.category) for p in products]
    catalogue = build_product_vectors(topics, products)
    # the fit: the topic affinity alone (products carry no categories here), on a curve
    coef = np.zeros(len(FEATURES))
    coef[0] = 8.0
    curve = Curve((-3.0, 0.0, 3.0), (0.05, 0.5, 0.85), 0.88)
    # converting placements never had a topic affinity under 0.8 (books: 0.73)
    fit = FitModel.of(coef, -4.0, {True: curve, False: curve}, affinity_floor=0.8)
    return Recommender(RadarModel(topics, fit), catalogue)


def profile(recommender: Recommender, host: str, theme: str) -> HostProfile:
    text = "，".join(THEMES[theme] * 4)
    vector = recommender.model.topics.transform([text])[0]
    return HostProfile(host, READY, None, vector, vector, 0, 32, THEMES[theme], [text])


def test_a_host_whose_fans_talk_only_of_books_gets_no_list(recommender: Recommender) -> None:
    result = recommender.recommend(profile(recommender, "reader", "books"), min_fit=0.0)
    assert result.state == NO_FITTING_CATEGORY
    assert result.items == []
    assert result.reason is not None and "不相近" in result.reason
    assert any(word in result.reason for word in THEMES["books"])


def test_a_host_whose_fans_talk_of_makeup_gets_its_list(recommender: Recommender) -> None:
    result = recommender.recommend(profile(recommender, "makeup", "makeup"), min_fit=0.0)
    assert result.state == READY
    assert result.items and all(item.category == "美妆" for item in result.items[:5])


def scored_only(recommender: Recommender) -> Recommender:
    """The same fit with no affinity floor and a score floor of 3 (logit 8·affinity − 4:
    the books host's best products score about 1.8, makeup's about 4)."""
    fit = recommender.model.fit
    assert isinstance(fit, FitModel)
    floors = {True: 3.0, False: 3.0}
    again = FitModel.of(fit.coef_, fit.intercept_, fit.curves_, 0.0, floors, fitting_rate=0.3)
    return Recommender(RadarModel(recommender.model.topics, again), recommender.catalogue)


def history(host: str, recommender: Recommender, converted: list[int]) -> list[Outcome]:
    products = recommender.catalogue.products
    return [
        Outcome(host, products[i].product_id, datetime(2026, 1, 1 + i), c)
        for i, c in enumerate(converted)
    ]


def test_a_host_whose_best_products_score_under_the_floor_gets_no_list(
    recommender: Recommender,
) -> None:
    scored = scored_only(recommender)
    reader = scored.recommend(profile(scored, "reader", "books"), min_fit=0.0)
    assert reader.state == NO_FITTING_CATEGORY and reader.items == []
    makeup = scored.recommend(profile(scored, "makeup", "makeup"), min_fit=0.0)
    assert makeup.state == READY and makeup.items


def test_a_host_whose_own_placements_convert_keeps_its_list(recommender: Recommender) -> None:
    """The score floor is for hosts that fit nothing; history that converts says otherwise."""
    scored = scored_only(recommender)
    reader = profile(scored, "reader", "books")
    converts = scored.recommend(reader, history("reader", scored, [1, 1, 0]), min_fit=0.0)
    assert converts.state == READY and converts.items
    fails = scored.recommend(reader, history("reader", scored, [0, 0, 0]), min_fit=0.0)
    assert fails.state == NO_FITTING_CATEGORY


def with_peers(recommender: Recommender, conversion: float) -> Recommender:
    """The same fit beside a table of one warm host whose fans talk of makeup and whose own
    placements convert at `conversion`, where all placements convert at 0.3."""
    makeup = profile(recommender, "warm-makeup", "makeup")
    key = peer_key(makeup, 0)
    assert key is not None
    categories = recommender.catalogue.categories.shape[1]
    table = PeerTable(
        ["warm-makeup"],
        key[np.newaxis],
        np.asarray(makeup.combined)[np.newaxis],
        np.full((1, categories), 0.5),
        conversion=np.array([conversion]),
        placement_rate=0.3,
    )
    model = RadarModel(recommender.model.topics, recommender.model.fit, peers=table)
    return Recommender(model, recommender.catalogue)


def test_a_new_host_whose_peers_seldom_convert_gets_no_list(recommender: Recommender) -> None:
    """Its text matches makeup, but the warm hosts that talk like it convert at 0.05 where
    placements convert at 0.3 (scenario: health-food rooms whose talk matches food): no
    list, and the reason says so; the API's kept-candidates path agrees. A host with
    placements of its own, or whose peers convert, keeps its list."""
    quiet = with_peers(recommender, 0.05)
    host = profile(quiet, "new-makeup", "makeup")
    result = quiet.recommend(host, min_fit=0.0, keep_top_k=20)
    assert result.state == NO_FITTING_CATEGORY and result.items == []
    assert result.reason is not None and "很少成交" in result.reason
    assert result.candidates is not None and result.candidates.peers_quiet
    again = quiet.recommend_from(HostInput(host), result.candidates, min_fit=0.0)
    assert again is not None and again.state == NO_FITTING_CATEGORY
    own = quiet.recommend(host, history("new-makeup", quiet, [1, 1, 0]), min_fit=0.0)
    assert own.state == READY and own.items
    converting = with_peers(recommender, 0.6).recommend(host, min_fit=0.0)
    assert converting.state == READY and converting.items
