"""Peer vectors: the k nearest warm hosts, the host itself left out, and the same answers
from a table that remembers them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from radar.matching.peers import PRIOR_RATE, PeerTable, _top


def table(k: int = 2) -> PeerTable:
    profiles = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    hits = np.array([[1.0, 0.0], [0.8, 0.2], [0.0, 1.0]])
    rates = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9]])
    return PeerTable(["a", "b", "c"], profiles, hits, rates, k)


def test_nearest_hosts_lead_and_the_host_is_left_out() -> None:
    topics, rates, _ = table().peer_vectors(np.array([1.0, 0.0]), exclude="a")
    assert topics[0] > 0.75 and rates[0] > 0.75  # b (and a little of nothing else)
    alone, prior, _ = table().peer_vectors(None)
    assert not alone.any() and (prior == PRIOR_RATE).all()


def test_remembering_gives_the_same_answers() -> None:
    plain, remembering = table(), table().remembering()
    for host, profile in (("a", [1.0, 0.0]), ("c", [0.1, 0.9]), ("a", [1.0, 0.0])):
        expected = plain.peer_vectors(np.array(profile), exclude=host)
        got = remembering.peer_vectors(np.array(profile), exclude=host)
        assert all(np.array_equal(x, y, equal_nan=True) for x, y in zip(expected, got, strict=True))


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 40), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    st.integers(1, 8),
)
def test_top_matches_a_stable_full_sort(values: np.ndarray, k: int) -> None:
    expected = np.argsort(-values, kind="stable")[:k]
    assert np.array_equal(_top(values, k)[:k], expected)


def test_many_hosts_at_once_get_exactly_the_peers_they_get_alone() -> None:
    rng = np.random.default_rng(3)
    warm = [f"h{i:03d}" for i in range(300)]
    peers = PeerTable(
        warm,
        rng.dirichlet(np.full(20, 0.2), size=300),
        rng.dirichlet(np.full(20, 0.2), size=300),
        rng.random((300, 6)),
        k=5,
        conversion=rng.random(300),
        placement_rate=0.3,
    )
    profiles = [*rng.dirichlet(np.full(20, 0.2), size=200), None]
    hosts = [*warm[:100], *(f"new{i}" for i in range(100)), "nobody"]
    together = peers.peer_vectors_many(profiles, hosts)
    for profile, host, answer in zip(profiles, hosts, together, strict=True):
        alone = peers.peer_vectors(profile, exclude=host)
        assert all(np.array_equal(x, y, equal_nan=True) for x, y in zip(alone, answer, strict=True))


def test_a_new_hosts_peers_follow_its_words_not_only_a_shared_generic_topic() -> None:
    """Fans' reviews share one generic topic (好评 · 物流 · 质量) whatever they review: by topics
    alone a water-heater host's nearest warm host is the makeup host that shares it. The
    words (热水器, 安装) point at the warm host that sold home goods."""
    from datetime import datetime

    from radar.matching.history import Outcome
    from radar.matching.host_side import host_side
    from radar.matching.peers import build_peer_table
    from radar.matching.products import ProductText, ProductVectors
    from radar.matching.profiles import READY, HostProfile

    # topics: generic review talk, makeup, home; words: 粉底, 热水器
    def host(name: str, topics: list[float], words: list[float]) -> HostProfile:
        vector = np.array(topics)
        return HostProfile(name, READY, None, vector, vector, 0, 40, words=np.array(words))

    catalogue = ProductVectors(
        [ProductText("lip", "口红", "美妆"), ProductText("rack", "毛巾架", "家居")],
        np.array([[0.1, 0.9, 0.0], [0.1, 0.0, 0.9]]),
        [["口红"], ["毛巾架"]],
        categories=np.array([[1.0, 0.0], [0.0, 1.0]]),
        words=np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32),
    )
    makeup = host("makeup", [0.5, 0.5, 0.0], [1.0, 0.0])
    heaters = host("heaters", [0.3, 0.0, 0.7], [0.0, 1.0])
    when = datetime(2026, 11, 1)
    outcomes = [Outcome("makeup", "lip", when, 1), Outcome("heaters", "rack", when, 1)]
    table = build_peer_table({"makeup": makeup, "heaters": heaters}, outcomes, catalogue, k=1)
    newcomer = host("newcomer", [0.8, 0.2, 0.0], [0.0, 1.0])
    side = host_side(newcomer, catalogue, [], peers=table)
    makeup_rate, home_rate = side.category_peer_rate
    assert home_rate > makeup_rate, "the peer was chosen by the generic topic alone"


def test_peers_conversion_is_their_own_placements_rate_and_is_saved(tmp_path: Path) -> None:
    """Each warm host's conversions over its placements, weighted as its peer vectors are;
    quiet under the rate of every placement (hosts without a conversion count there). A
    table saved before this was kept loads with nothing to tell (never quiet)."""
    from radar.matching.history import Outcome
    from radar.matching.peers import build_peer_table
    from radar.matching.products import ProductText, ProductVectors
    from radar.matching.profiles import READY, HostProfile

    def host(name: str, topics: list[float]) -> HostProfile:
        vector = np.array(topics)
        return HostProfile(name, READY, None, vector, vector, 0, 40)

    catalogue = ProductVectors(
        [ProductText("lip", "口红", "美妆"), ProductText("pill", "维生素", "食品")],
        np.array([[0.9, 0.1], [0.1, 0.9]]),
        [["口红"], ["维生素"]],
        categories=np.array([[1.0, 0.0], [0.0, 1.0]]),
        words=np.zeros((2, 0), dtype=np.float32),
    )
    when = datetime(2026, 11, 1)
    placed = {"makeup": [1, 1, 1, 0], "health": [1, 0, 0, 0, 0, 0, 0, 0], "never": [0, 0]}
    outcomes = [
        Outcome(name, "lip" if name == "makeup" else "pill", when, c)
        for name, converted in placed.items()
        for c in converted
    ]
    profiles = {"makeup": host("makeup", [0.9, 0.1]), "health": host("health", [0.1, 0.9])}
    profiles["never"] = host("never", [0.5, 0.5])
    table = build_peer_table(profiles, outcomes, catalogue, k=1)
    assert table.ids == ["health", "makeup"]  # "never" converted nothing: not a peer
    assert table.conversion.tolist() == [1 / 8, 3 / 4]
    assert table.placement_rate == 4 / 14
    like_health = table.peer_vectors(np.array([0.2, 0.8]), exclude="newcomer")
    like_makeup = table.peer_vectors(np.array([0.8, 0.2]), exclude="newcomer")
    assert like_health.conversion == 1 / 8 and table.quiet(like_health)
    assert like_makeup.conversion == 3 / 4 and not table.quiet(like_makeup)
    table.save(tmp_path / "peers.npz")
    loaded = PeerTable.load(tmp_path / "peers.npz")
    assert loaded.quiet(loaded.peer_vectors(np.array([0.2, 0.8]), exclude="newcomer"))
    with np.load(tmp_path / "peers.npz") as data:
        before = {
            key: data[key] for key in data.files if key not in ("conversion", "placement_rate")
        }
    np.savez(tmp_path / "before.npz", **before)
    old = PeerTable.load(tmp_path / "before.npz")
    assert not old.quiet(old.peer_vectors(np.array([0.2, 0.8]), exclude="newcomer"))
