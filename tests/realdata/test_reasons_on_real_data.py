"""Reasons on the real-data scenario: every quote is about the product it justifies, and a
list does not repeat its quotes."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from benchmarks.scenario.build import build_scenario
from benchmarks.scenario.run import TEXT_LIMITS
from features.documents import product_document
from radar.ingest import ingest_directory
from radar.matching.model import RadarModel
from radar.matching.products import ProductText
from radar.matching.recommender import HostInput, HostRecommendations, Recommender
from radar.store import open_store
from radar.store.documents import load_documents
from radar.store.matching_data import MatchingData, load_matching_data
from radar.topics import TopicModel
from training.run import build_radar_model

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

NUM_TOPICS = 16
"""Fewer topics than the scenario's 40: reasons quote words, and training takes a minute."""
TOPIC_SHARE = 0.05
"""A word in more of the catalogue's products than this is a word of a topic, not of one
product (宠物, 中国, 套装)."""


@pytest.fixture(scope="module")
def lists(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RadarModel, MatchingData, list[HostRecommendations]]:
    """Every host's top ten at any fit (the most quotes to check), as the batch makes them."""
    work = tmp_path_factory.mktemp("reasons-scenario")
    build_scenario(shared_data, work / "data")
    engine = open_store(f"sqlite:///{work / 'radar.db'}")
    ingest_directory(
        work / "data", engine, quarantine_root=work / "quarantine", max_text_chars=TEXT_LIMITS
    )
    documents = load_documents(engine)
    topics = TopicModel(num_topics=NUM_TOPICS, random_state=0).fit([d.text for d in documents])
    model, _ = build_radar_model(engine, topics, documents, min_fit=0.8)
    data = load_matching_data(engine, model, documents=documents)
    history = defaultdict(list)
    for outcome in data.outcomes:
        history[outcome.streamer_id].append(outcome)
    hosts = [
        HostInput(profile, history[host], {o.product_id for o in history[host]})
        for host, profile in sorted(data.profiles.items())
    ]
    results = Recommender(model, data.catalogue).recommend_many(hosts, top_k=10, min_fit=0.0)
    return model, data, results


def own_words(model: RadarModel, products: list[ProductText]) -> dict[str, set[str]]:
    """Each product's words from its own text (title, description, attribute values; not
    its category), as the model reads and tokenises them."""
    texts = [
        product_document(p.title, description=p.description, attributes=p.attributes)
        for p in products
    ]
    tokens = model.topics.tokenize(texts)
    return {p.product_id: set(words) for p, words in zip(products, tokens, strict=True)}


def test_every_quote_holds_a_word_of_the_products_own_text(
    lists: tuple[RadarModel, MatchingData, list[HostRecommendations]],
) -> None:
    model, data, results = lists
    words = own_words(model, data.catalogue.products)
    products_with = Counter(word for found in words.values() for word in found)
    topic_words = {w for w, n in products_with.items() if n > TOPIC_SHARE * len(words)}
    quotes, without_own_word, only_topic_words = 0, [], []
    for result in results:
        for item in result.items:
            own = words[item.product_id]
            for quote in item.reasons.evidence:
                quotes += 1
                found = {word for word in own if word in quote.lower()}
                if not found:
                    without_own_word.append((item.title, quote))
                elif found <= topic_words:
                    only_topic_words.append((item.title, sorted(found), quote))
    print(f"{quotes} quotes in {sum(bool(r.items) for r in results)} lists")
    assert quotes >= 200
    assert without_own_word == []
    assert only_topic_words == []


def test_a_list_repeats_a_quote_only_for_want_of_another(
    lists: tuple[RadarModel, MatchingData, list[HostRecommendations]],
) -> None:
    """A product may show a line already quoted higher in its list only when no other line
    holds one of its words: then it is its only quote."""
    _, _, results = lists
    distinct, shown, repeats = [], [], []
    for result in results:
        quoted: set[str] = set()
        for item in result.items:
            again = [quote for quote in item.reasons.evidence if quote in quoted]
            if again and len(item.reasons.evidence) > 1:
                repeats.append((result.streamer_id, item.title, item.reasons.evidence))
            quoted.update(item.reasons.evidence)
        if result.items:
            distinct.append(len(quoted))
            shown.append(sum(len(item.reasons.evidence) for item in result.items))
    print(
        f"distinct quotes per list: median {statistics.median(distinct)} "
        f"of {statistics.median(shown)} shown"
    )
    assert repeats == []
