"""Scored answers whose first items are the host's precomputed list's take those items
from the list and explain only the rest (`KnownHead`): the same answers, byte for byte,
as scoring everything, and never a head made from another profile, other lines of the
host or another market heat."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from radar.matching.ranking import BusinessFilters
from radar.matching.recommender import BELOW_CUT, KnownHead
from radar.service.service import DATA_VERSION_SECONDS, RadarService
from serving.lists import LIST_TOP_K, HostLists, public_json
from tests.integration.new_text import ingest_new_comments, running_home

REQUESTS = [
    {"top_k": 21, "min_fit": 0.5},
    {"top_k": 50, "min_fit": 0.5},
    {"top_k": 21, "min_fit": 0.0},
    {"top_k": 50, "min_fit": 0.0},
    {"top_k": 21, "min_fit": 0.999},  # below every cut: the closest products
    {"top_k": 30, "min_fit": 0.3, "filters": BusinessFilters(max_per_category=3)},
    {"top_k": 25, "min_fit": 0.5, "filters": BusinessFilters(price_max=150.0)},
    {"top_k": 21, "min_fit": 0.5, "rank_by": "proposal"},
]


def warmed_lists(service: RadarService, min_fit: float) -> Iterator[HostLists]:
    warmed = HostLists(service, "1", min_fit=min_fit, ttl=3600)
    warmed.warm()
    yield warmed
    warmed.close()


@pytest.fixture(scope="module")
def high_lists(service: RadarService) -> Iterator[HostLists]:
    """Lists at a high cut (0.8, the served default): short lists, and hosts below it."""
    yield from warmed_lists(service, 0.8)


@pytest.fixture(scope="module")
def low_lists(service: RadarService) -> Iterator[HostLists]:
    """Lists at cut 0: every list full (`LIST_TOP_K` items)."""
    yield from warmed_lists(service, 0.0)


def head_of(lists: HostLists, host: str) -> KnownHead | None:
    stored = lists._lists.get(host)
    return None if stored is None else stored.head


@pytest.mark.parametrize("options", REQUESTS)
@pytest.mark.parametrize("cut", ["low_lists", "lists", "high_lists"])
def test_answers_sharing_a_lists_head_equal_scoring_everything(
    service: RadarService,
    cut: str,
    options: dict[str, object],
    request: pytest.FixtureRequest,
) -> None:
    lists: HostLists = request.getfixturevalue(cut)
    for host in sorted(lists._lists):
        expected = public_json(service.recommend(host, **options), "1")  # type: ignore[arg-type]
        assert lists.score(host, **options) == expected, host


def test_heads_are_shared_by_short_and_below_cut_lists_and_longer_requests(
    service: RadarService, lists: HostLists, high_lists: HostLists, low_lists: HostLists
) -> None:
    """The equality above is not vacuous: heads are shared, whole or in part, from full
    lists, short ones and lists below the cut."""
    shared: dict[str, int] = {"full": 0, "short": 0, "below the cut": 0, "in part": 0}
    for made, options in (
        (low_lists, {"top_k": 21, "min_fit": 0.0}),
        (low_lists, {"top_k": 50, "min_fit": 0.0, "filters": BusinessFilters(price_max=150.0)}),
        (lists, {"top_k": 21, "min_fit": 0.5}),
        (high_lists, {"top_k": 50, "min_fit": 0.5}),
        (high_lists, {"top_k": 21, "min_fit": 0.999}),
    ):
        for host, stored in made._lists.items():
            head = stored.head
            if head is None:
                continue
            result = service.recommend(host, head=head, **options)  # type: ignore[arg-type]
            if not result.known:
                continue
            if result.known < len(head.rows):
                shared["in part"] += 1
            elif stored.state == BELOW_CUT:
                shared["below the cut"] += 1
            elif len(head.rows) < LIST_TOP_K:
                shared["short"] += 1
            else:
                shared["full"] += 1
    assert all(shared.values()), shared


def test_answers_sharing_no_item_take_the_lines_the_lists_reasons_looked_up(
    service: RadarService, lists: HostLists
) -> None:
    """A scored answer that shares no item with the host's list (its best product left
    out) still takes the lines the list's reasons looked up for each keyword
    (`QuoteTrail.lines_found`) instead of searching them again: the answer of scoring
    everything, byte for byte."""
    taken = 0
    products = service.recommender.catalogue.products
    for host in sorted(lists._lists):
        head = head_of(lists, host)
        if head is None:
            continue
        best = frozenset({products[head.rows[0]].product_id})
        options = {
            "top_k": 21,
            "min_fit": 0.5,
            "filters": BusinessFilters(exclude_product_ids=best),
        }
        expected = public_json(service.recommend(host, **options), "1")  # type: ignore[arg-type]
        assert lists.score(host, **options) == expected, host
        profile = service.profile(host)
        taken += bool(head.quotes.lines_found(profile.keywords, profile.evidence))
    assert taken >= 6


def test_a_head_made_from_other_lines_of_the_host_is_not_shared(
    service: RadarService, lists: HostLists
) -> None:
    """A profile whose vectors are as they were (the fits agree, and so does the
    fingerprint) but whose lines are not: the quotes may differ, so the head is not shared."""
    compared = 0
    recommender = service.recommender
    for host in sorted(lists._lists):
        head = head_of(lists, host)
        profile = service.profile(host)
        if head is None or len(profile.evidence) < 2:
            continue
        outcomes, placed = service.history(host)
        other = replace(profile, evidence=profile.evidence[::-1])
        options = {"top_k": 21, "min_fit": 0.5, "placed": placed}
        shared = recommender.recommend(other, outcomes, head=head, **options)  # type: ignore[arg-type]
        expected = recommender.recommend(other, outcomes, **options)  # type: ignore[arg-type]
        assert shared.known == 0
        assert public_json(shared, "1") == public_json(expected, "1")
        compared += 1
    assert compared >= 6


def test_a_head_made_with_another_market_heat_is_not_shared(
    service: RadarService, lists: HostLists
) -> None:
    """Heat read again (an ingest brought conversions): the head's proposal scores are the
    old heat's, so no head is shared until the list is made again."""
    recommender = service.recommender
    before = recommender.heat
    recommender.heat = np.clip(before + 0.25, 0.0, 1.0)
    try:
        for host in sorted(lists._lists):
            expected = public_json(service.recommend(host, top_k=21, min_fit=0.5), "1")
            assert lists.score(host, top_k=21, min_fit=0.5) == expected, host
    finally:
        recommender.heat = before


def test_after_new_text_the_old_list_is_not_shared(own_home: Path, tmp_path: Path) -> None:
    """New comments for a host make its list stale (an older data version): until it is
    made again, a scored answer shares nothing with it and is the new profile's."""
    settings, engine, _, running = running_home(own_home)
    stale = HostLists(running, "1", min_fit=0.0, ttl=3600)
    try:
        stale.add("h0002")
        head = head_of(stale, "h0002")
        assert head is not None
        assert running.recommend("h0002", head=head, top_k=21, min_fit=0.0).known == LIST_TOP_K
        ingest_new_comments(engine, settings, tmp_path / "new-text", "h0002")
        time.sleep(DATA_VERSION_SECONDS)  # the data version read before is trusted that long
        # the same heat (not read again): only the profile tells the old list apart
        assert running.recommender.heat is head.heat
        expected = public_json(running.recommend("h0002", top_k=21, min_fit=0.0), "1")
        assert stale.score("h0002", top_k=21, min_fit=0.0) == expected
        assert running.recommend("h0002", head=head, top_k=21, min_fit=0.0).known == 0
    finally:
        stale.close()
