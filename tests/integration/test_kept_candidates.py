"""Requests the precomputed lists do not cover, ranked among each host's kept best rows
(`CandidateSet`): the same answers as scoring over the whole catalogue, for every kind of
request, and never from rows kept for another profile."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from radar.matching.candidates import CandidateSet, fingerprint
from radar.matching.ranking import BusinessFilters, CatalogueColumns, rank_products
from radar.matching.recommender import Ask, HostInput
from radar.matching.scoring import candidates_needed
from radar.service.service import RadarService
from serving.lists import HostLists, to_public

REQUESTS = [
    {"top_k": 20, "min_fit": 0.5},
    {"top_k": 50, "min_fit": 0.5},
    {"top_k": 100, "min_fit": 0.2},
    {"top_k": 7, "min_fit": 0.0},
    {"top_k": 5, "min_fit": 0.99},  # below the cut: the closest products
    {"top_k": 20, "min_fit": 0.4, "filters": BusinessFilters(max_per_category=2)},
    {"top_k": 20, "min_fit": 0.5, "filters": BusinessFilters(price_max=120.0)},
    {"top_k": 10, "min_fit": 0.3, "filters": BusinessFilters(in_stock_only=False)},
    {"top_k": 10, "min_fit": 0.5, "rank_by": "proposal"},
]


@pytest.fixture(scope="module")
def hosts(lists: HostLists) -> list[str]:
    """Hosts with a profile (the others have no list to keep rows for)."""
    ready = sorted(lists._candidates)
    assert len(ready) >= 6
    return ready[:: max(1, len(ready) // 8)]


def kept(lists: HostLists, host: str) -> CandidateSet:
    candidates = lists._candidates.get(host)
    assert candidates is not None, f"no rows kept for {host}"
    return candidates


def public(result: object) -> dict[str, object]:
    return to_public(result, "1").model_dump(mode="json")  # type: ignore[arg-type]


def unnamed(result: object) -> dict[str, object]:
    """`public`, without the host's name (which the service adds, not the recommender)."""
    return {**public(result), "streamer_name": None}


@pytest.mark.parametrize("options", REQUESTS)
def test_kept_rows_answer_as_the_whole_catalogue(
    lists: HostLists, service: RadarService, hosts: list[str], options: dict[str, object]
) -> None:
    answered = 0
    for host in hosts:
        scored = service.recommend(host, **options)
        assert json.loads(lists.score(host, **options)) == public(scored)
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        shortcut = service.recommender.recommend_from(host_input, kept(lists, host), **options)  # type: ignore[arg-type]
        if shortcut is not None:
            answered += 1
            assert unnamed(shortcut) == unnamed(scored)
    assert answered >= len(hosts) - 1  # the kept rows did answer (at most one band too close)


def test_rows_in_the_band_around_the_cut_are_not_taken_as_candidates(
    lists: HostLists, service: RadarService, hosts: list[str]
) -> None:
    """Kept rows whose float32 scores sit within the slack of each other at the cut may
    come out in either order however the host is scored: here the kept set puts the row
    just outside the cut inside it and the other way round (the two scored alike), and
    filters leave only those two. The answer must not come from the kept order (which
    would recommend the row scoring alone does not take): the kept rows say they cannot
    tell, or answer as the whole catalogue does."""
    recommender = service.recommender
    tested = 0
    for host in hosts:
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        candidates = kept(lists, host)
        per_host = candidates_needed(1, len(placed))
        inside, outside = candidates.rows[per_host - 1], candidates.rows[per_host]
        ids = [recommender.catalogue.products[row].product_id for row in candidates.rows]
        if {ids[per_host - 1], ids[per_host]} & set(placed):
            continue
        swapped = candidates.rows.copy()
        swapped[per_host - 1], swapped[per_host] = outside, inside
        scores = candidates.scores.copy()
        scores[per_host] = scores[per_host - 1]  # alike, as the band allows
        crafted = replace(candidates, rows=swapped, scores=scores)
        options = {
            "top_k": 1,
            "min_fit": 0.0,
            "filters": BusinessFilters(exclude_product_ids=frozenset(ids[: per_host - 1])),
        }
        scored = service.recommend(host, **options)
        assert [item.product_id for item in scored.items] == [ids[per_host - 1]]
        shortcut = recommender.recommend_from(host_input, crafted, **options)  # type: ignore[arg-type]
        if shortcut is not None:
            assert unnamed(shortcut) == unnamed(scored)
        tested += 1
    assert tested >= 3


def test_filters_that_use_up_the_candidates_are_answered_by_all_the_kept_rows(
    lists: HostLists, service: RadarService, hosts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A category asked for that few of a host's best rows hold uses up the candidates of
    `top_k` (all above the cut): ranked among all the kept rows, the answer is the whole
    catalogue's, and the catalogue is not ranked for most of them."""
    recommender = service.recommender
    ranked_catalogue = 0
    rank_catalogue = recommender._rank_catalogue

    def counted(*args: object, **kwargs: object) -> list[tuple[int, float]]:
        nonlocal ranked_catalogue
        ranked_catalogue += 1
        return rank_catalogue(*args, **kwargs)  # type: ignore[arg-type]

    categories = sorted({p.category for p in recommender.catalogue.products if p.category})
    answered = asked = 0
    for host in hosts:
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        for category in categories:
            options = {
                "top_k": 10,
                "min_fit": 0.0,
                "filters": BusinessFilters(categories=frozenset({category})),
            }
            scored = service.recommend(host, **options)
            monkeypatch.setattr(recommender, "_rank_catalogue", counted)
            shortcut = recommender.recommend_from(host_input, kept(lists, host), **options)  # type: ignore[arg-type]
            monkeypatch.setattr(recommender, "_rank_catalogue", rank_catalogue)
            asked += 1
            if shortcut is not None:
                answered += 1
                assert unnamed(shortcut) == unnamed(scored)
    assert answered >= asked - len(hosts)
    assert ranked_catalogue < asked / 2


def test_filters_the_kept_rows_cannot_fill_rank_the_whole_catalogue_at_once(
    lists: HostLists, service: RadarService, hosts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filters that leave fewer than `top_k` of a host's kept rows, all above the cut: the
    kept rows cannot tell, so the whole catalogue is ranked without ranking them first,
    and the answer is the catalogue's."""
    recommender = service.recommender
    products = recommender.catalogue.products
    ranked_rows = 0
    ranked = recommender._ranked_rows

    def counted(*args: object, **kwargs: object) -> tuple[np.ndarray, list[int]]:
        nonlocal ranked_rows
        ranked_rows += 1
        return ranked(*args, **kwargs)  # type: ignore[arg-type]

    for host in hosts:
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        listed = recommender.recommend(
            host_input.profile, outcomes, placed=placed, min_fit=0.5, keep_top_k=10
        )
        candidates = listed.candidates
        assert candidates is not None and len(candidates.rows) < len(products)
        ids = [products[row].product_id for row in candidates.rows]
        options = {
            "top_k": 5,
            "min_fit": 0.0,
            "filters": BusinessFilters(exclude_product_ids=frozenset(ids[2:])),
        }
        scored = service.recommend(host, **options)
        monkeypatch.setattr(recommender, "_ranked_rows", counted)
        shortcut = recommender.recommend_from(host_input, candidates, **options)  # type: ignore[arg-type]
        monkeypatch.setattr(recommender, "_ranked_rows", ranked)
        assert shortcut is not None
        assert unnamed(shortcut) == unnamed(scored)
        assert len(scored.items) == 5
        for min_fit in (0.3, 0.6):  # the last kept row above or below the cut
            options = {**options, "min_fit": min_fit}
            shortcut = recommender.recommend_from(host_input, candidates, **options)  # type: ignore[arg-type]
            assert shortcut is None or unnamed(shortcut) == unnamed(
                service.recommend(host, **options)
            )
    assert ranked_rows == 0


def test_rows_kept_for_another_profile_are_not_used(
    lists: HostLists, service: RadarService, hosts: list[str]
) -> None:
    other = kept(lists, hosts[0])
    for host in hosts[1:3]:
        answer = service.recommend(host, candidates=other, top_k=30, min_fit=0.3)
        assert public(answer) == public(service.recommend(host, top_k=30, min_fit=0.3))
    # the profile's vectors and each placement's outcome make the host's vector
    host = next(h for h in hosts if service.history(h)[0])
    profile, (outcomes, _) = service.profile(host), service.history(host)
    assert fingerprint(profile, outcomes) == kept(lists, host).fingerprint
    changed = replace(profile, combined=np.roll(profile.combined, 1))  # type: ignore[arg-type]
    assert fingerprint(changed, outcomes) != kept(lists, host).fingerprint
    assert fingerprint(profile, outcomes[:-1]) != kept(lists, host).fingerprint


@pytest.mark.parametrize("top_k", [1, 3, 20])
@pytest.mark.parametrize("min_fit", [0.0, 0.5])
def test_the_whole_catalogue_ranked_as_every_fit_exactly(
    lists: HostLists, service: RadarService, hosts: list[str], top_k: int, min_fit: float
) -> None:
    """Ranking over the whole catalogue scores exactly only the rows in reach of the cut
    and of the best `top_k`: the rows and fits of ranking every exact fit."""
    recommender = service.recommender
    products = recommender.catalogue.products
    for filters in (BusinessFilters(), BusinessFilters(price_max=150.0, in_stock_only=True)):
        rules = recommender.filters_for(filters)
        for host in hosts:
            candidates = kept(lists, host)
            outcomes, placed = service.history(host)
            host_input = HostInput(service.profile(host), outcomes, placed)
            ask = Ask(top_k, min_fit, rules, "fit")
            ranked = recommender._rank_catalogue(
                candidates.vector, candidates.has_history, host_input, ask
            )
            scores = recommender.product_vectors @ candidates.vector
            fits = recommender._shown(scores, candidates.has_history)
            every = rank_products(
                fits,
                products,
                top_k=top_k,
                min_fit=min_fit,
                placed=placed,
                filters=rules,
                scores=scores,
            )
            assert ranked == [(row, float(fits[row])) for row in every]


def test_the_kept_rows_filters_are_worked_out_once_a_request(
    lists: HostLists, service: RadarService, hosts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filtered request ranked among the kept rows checks them against its filters once:
    counting them (do enough pass?) and ranking them (which pass?) read the same flags,
    and the answer is the whole catalogue's."""
    recommender = service.recommender
    products = recommender.catalogue.products
    checked = 0
    passing = CatalogueColumns.passing

    def counted(
        columns: CatalogueColumns,
        filters: BusinessFilters,
        placed: Any,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        nonlocal checked
        checked += rows is not None  # some rows (the kept ones), not the whole catalogue
        return passing(columns, filters, placed, rows)

    answered = 0
    for host in hosts:
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        best = frozenset({products[int(kept(lists, host).rows[0])].product_id})
        options = {
            "top_k": 21,
            "min_fit": 0.5,
            "filters": BusinessFilters(exclude_product_ids=best),
        }
        scored = service.recommend(host, **options)  # type: ignore[arg-type]
        checked = 0
        monkeypatch.setattr(CatalogueColumns, "passing", counted)
        shortcut = recommender.recommend_from(host_input, kept(lists, host), **options)  # type: ignore[arg-type]
        monkeypatch.setattr(CatalogueColumns, "passing", passing)
        if shortcut is not None:
            answered += 1
            assert unnamed(shortcut) == unnamed(scored)
            assert checked == 1, host
    assert answered >= 3
