"""The API's precomputed lists: answers equal the scored path, uncovered requests are
scored, stale lists are recomputed in the background, late hosts are added."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from radar.errors import UnknownHostError
from radar.matching.ranking import BusinessFilters
from radar.matching.recommender import BELOW_CUT, BELOW_CUT_ITEMS, HostRecommendations
from radar.service.service import RadarService
from radar.store.reads import load_host_ids
from serving.lists import LIST_TOP_K, HostLists, json_object, public_json, to_public
from tests.integration.new_text import ingest_new_comments, running_home

HOSTS = ("h0001", "h0002", "h0005", "h0011")


@pytest.mark.parametrize(("top_k", "min_fit"), [(1, 0.5), (5, 0.5), (LIST_TOP_K, 0.5), (10, 0.8)])
def test_stored_answers_equal_scoring(
    lists: HostLists, service: RadarService, top_k: int, min_fit: float
) -> None:
    served = 0
    for host in HOSTS:
        answer = lists.answer(host, top_k=top_k, min_fit=min_fit)
        scored = service.recommend(host, top_k=top_k, min_fit=min_fit)
        if answer is None:
            # only where the list cannot tell: the closest products below a list's own cut
            assert scored.state == BELOW_CUT and len(lists._lists[host].items) < len(scored.items)
            continue
        assert json.loads(answer) == to_public(scored, "1").model_dump(mode="json")
        served += len(scored.items)
    assert served > 0  # the comparison saw real items


@pytest.mark.parametrize("top_k", [3, LIST_TOP_K])
@pytest.mark.parametrize(
    "filters", [None, BusinessFilters(max_per_category=1), BusinessFilters(price_max=200.0)]
)
def test_a_lower_cut_is_answered_by_a_full_head_of_the_list(
    lists: HostLists, service: RadarService, top_k: int, filters: BusinessFilters | None
) -> None:
    """Below the lists' cut, a list whose head holds `top_k` items that pass the filters
    (all above the lists' cut) answers as scoring does: a lower cut only adds products
    after them. A list that cannot fill `top_k` so leaves the request to scoring."""
    answered = full = 0
    for host in sorted(lists._candidates):
        answer = lists.answer(host, top_k=top_k, min_fit=0.1, filters=filters)
        scored = service.recommend(host, top_k=top_k, min_fit=0.1, filters=filters)
        if answer is not None:
            answered += 1
            assert json.loads(answer) == to_public(scored, "1").model_dump(mode="json")
            assert len(scored.items) == top_k
        at_cut = service.recommend(host, top_k=top_k, min_fit=0.5, filters=filters)
        full += len(at_cut.items) == top_k and at_cut.state == "ready"
    if filters is None:  # every list that fills top_k at its cut answers
        assert answered == full and (top_k > 3 or answered >= 3)


@pytest.mark.parametrize(
    ("filters", "rank_by", "from_lists"),
    [
        (BusinessFilters(exclude_product_ids=frozenset({"not-listed"})), "fit", True),
        (BusinessFilters(max_per_category=1), "fit", None),
        (BusinessFilters(price_max=200.0), "fit", None),
        (None, "proposal", None),
        (BusinessFilters(in_stock_only=False), "fit", False),  # wider than the defaults
    ],
)
def test_filtered_answers_equal_scoring(
    lists: HostLists,
    service: RadarService,
    filters: BusinessFilters | None,
    rank_by: str,
    from_lists: bool | None,
) -> None:
    """The lists answer filtered requests that keep a head of a stored list, as scoring
    does; the others are left to scoring (None). `from_lists`: whether hosts with a list
    are answered from it (True), none is (False), or some may be."""
    options = {"top_k": 3, "min_fit": 0.5, "filters": filters, "rank_by": rank_by}
    answered = 0
    for host in HOSTS:
        answer = lists.answer(host, **options)  # type: ignore[arg-type]
        if answer is None:
            continue
        answered += 1
        scored = service.recommend(host, **options)
        assert json.loads(answer) == to_public(scored, "1").model_dump(mode="json")
    if from_lists is not None:
        assert (answered > 0) if from_lists else (answered == 0)


def test_requests_beyond_the_lists_are_not_answered(lists: HostLists) -> None:
    assert len(lists) > len(HOSTS)
    assert lists.answer("h0002", top_k=LIST_TOP_K + 1, min_fit=0.5) is None
    assert lists.answer("nobody", top_k=5, min_fit=0.5) is None


def test_a_stale_list_is_renewed_without_scoring_when_nothing_changed(
    service: RadarService,
) -> None:
    stale = HostLists(service, "1", min_fit=0.5, ttl=0.0)
    try:
        stale.add("h0002")
        scored, before = stale.recomputed, stale._lists["h0002"].made_at
        busy = threading.Event()
        stale._worker.submit(busy.wait, 30)  # the refresher kept busy: only the request can
        try:
            first = stale.answer("h0002", top_k=5, min_fit=0.5)
        finally:
            busy.set()
        # renewed by the request itself, from the data version alone: no scoring, and no
        # hand-over to the refresher's thread (one per host cost a tenth of the throughput)
        assert stale._lists["h0002"].made_at > before
        assert not stale._refreshing
        assert stale.recomputed == scored
        assert stale.answer("h0002", top_k=5, min_fit=0.5) == first
    finally:
        stale.close()


def test_after_new_text_a_stale_refresh_answers_as_a_fresh_start(
    own_home: Path, tmp_path: Path
) -> None:
    settings, engine, model, running = running_home(own_home)
    stale = HostLists(running, "1", min_fit=0.0, ttl=0.0)
    try:
        stale.add("h0002")
        before = stale.answer("h0002", top_k=10, min_fit=0.0)
        ingest_new_comments(engine, settings, tmp_path / "new-text", "h0002")
        scored = stale.recomputed
        deadline = time.monotonic() + 60
        while stale.recomputed == scored and time.monotonic() < deadline:
            stale.answer("h0002", top_k=10, min_fit=0.0)  # stale: renewed in the background
            time.sleep(0.05)
        assert stale.recomputed > scored
        refreshed = stale.answer("h0002", top_k=10, min_fit=0.0)
        fresh = HostLists(RadarService(engine, model, model_version="1"), "1", min_fit=0.0, ttl=60)
        fresh.add("h0002")
        assert refreshed == fresh.answer("h0002", top_k=10, min_fit=0.0)
        assert refreshed != before  # the new text shows
        fresh.close()
    finally:
        stale.close()


def test_a_host_without_a_list_is_added(service: RadarService) -> None:
    late = HostLists(service, "1", min_fit=0.5, ttl=3600)
    try:
        assert late.answer("h0002", top_k=5, min_fit=0.5) is None
        late.add("h0002")
        assert late.answer("h0002", top_k=5, min_fit=0.5) is not None
        with pytest.raises(UnknownHostError):
            late.add("nobody")
    finally:
        late.close()


def test_json_object_splices_serialised_items() -> None:
    items = [json.dumps({"a": "口红"}, ensure_ascii=False).encode(), b"2"]
    body = json_object({"x": 0.8, "s": "就绪"}, "items", items)
    assert json.loads(body) == {"x": 0.8, "s": "就绪", "items": [{"a": "口红"}, 2]}
    assert json.loads(json_object({}, "items", [])) == {"items": []}


def test_public_json_is_the_schemas_own_serialisation(service: RadarService) -> None:
    """The answer written without building the models is the models' own JSON, byte for
    byte, for every state and kind of item (ready, below the cut, no list; rounded and
    whole prices, no category)."""
    states = set()
    for host in load_host_ids(service.engine):
        for options in ({"top_k": 30, "min_fit": 0.3}, {"top_k": 5, "min_fit": 0.999}):
            result = service.recommend(host, **options)  # type: ignore[arg-type]
            states.add(result.state)
            expected = to_public(result, "1").model_dump_json().encode()
            assert public_json(result, "1") == expected
    assert {"ready", "below_cut"} <= states


def test_below_its_own_cut_a_short_list_leaves_the_closest_products_to_scoring(
    service: RadarService,
) -> None:
    """A list holds only the products at or above the lists' cut. When a host has one such
    product, a request at a higher cut wants the closest three, and two of them lie below
    the list's end: the list must not answer with one."""
    host = "h0002"
    fits = [item.fit for item in service.recommend(host, top_k=5, min_fit=0.0).items]
    assert fits[0] > fits[1], "the host's two best products tie: pick another host"
    cut = (fits[0] + fits[1]) / 2
    short = HostLists(service, "1", min_fit=cut, ttl=3600)
    try:
        short.warm()
        higher = min(1.0, fits[0] + 0.01)
        answer = short.answer(host, top_k=10, min_fit=higher)
        scored = service.recommend(host, top_k=10, min_fit=higher)
        assert len(scored.items) == BELOW_CUT_ITEMS
        assert answer is None or json.loads(answer) == to_public(scored, "1").model_dump(
            mode="json"
        )
    finally:
        short.close()


def test_making_every_list_pauses_for_no_full_collection(
    service: RadarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm-up makes millions of objects that live as long as the model: each full pass
    of the cyclic collector over them paused every request (up to 0.4 s at scale, twenty
    times while the lists were made). Thresholds of 1 make any collector pass happen; the
    young ones go on (they free what requests leave meanwhile)."""
    passes: list[int] = []
    making = threading.Event()
    recommend_all = service.recommend_all

    def every_list(**options: object) -> Iterator[HostRecommendations]:
        making.set()
        yield from recommend_all(**options)  # type: ignore[arg-type]
        making.clear()

    def heard(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and making.is_set():
            passes.append(info["generation"])

    monkeypatch.setattr(service, "recommend_all", every_list)
    lists = HostLists(service, "1", min_fit=0.5, ttl=3600)
    thresholds = gc.get_threshold()
    gc.freeze()  # the tests' own heap out of the way: a full pass is then due at once
    gc.collect()
    gc.callbacks.append(heard)
    gc.set_threshold(1, 1, 1)
    try:
        lists.warm()
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(heard)
        gc.unfreeze()
        lists.close()
    assert len(lists) > 0
    assert passes and 2 not in passes  # young passes only
    assert after == (1, 1, 1)  # put back
