"""Requests the precomputed lists do not cover, ranked among each host's kept best rows
(`CandidateSet`): the same answers as scoring over the whole catalogue, for every kind of
request, and never from rows kept for another profile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from radar.matching.candidates import CandidateSet, fingerprint
from radar.matching.ranking import BusinessFilters, rank_products
from radar.matching.recommender import HostInput
from radar.matching.scoring import candidates_needed
from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store
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
def service(trained_home: Path) -> RadarService:
    settings = Settings(home=trained_home)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return RadarService(open_store(settings.resolved_database_url), loaded.model)


@pytest.fixture(scope="module")
def lists(service: RadarService) -> HostLists:
    """Every host's list, made in blocks of hosts as the server makes them."""
    warmed = HostLists(service, "1", min_fit=0.5, ttl=3600)
    warmed.warm()
    yield warmed
    warmed.close()


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
        assert public(lists.score(host, **options)) == public(scored)
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        shortcut = service.recommender.recommend_from(host_input, kept(lists, host), **options)  # type: ignore[arg-type]
        if shortcut is not None:
            answered += 1
            assert unnamed(shortcut) == unnamed(scored)
    assert answered >= len(hosts) - 1  # the kept rows did answer (at most one band too close)


def test_rows_near_the_cut_never_change_an_answer(
    lists: HostLists, service: RadarService, hosts: list[str]
) -> None:
    """With a wider band around the cut (rows whose float32 score may or may not make it),
    the kept rows answer as before or say they cannot tell; some still answer."""
    answered = 0
    catalogue_size = len(service.recommender.catalogue.products)
    for host in hosts:
        outcomes, placed = service.history(host)
        host_input = HostInput(service.profile(host), outcomes, placed)
        candidates = kept(lists, host)
        for slack in (1e-4, 1e-3, 1e-2, 5e-2):
            wide = replace(candidates, slack=slack)
            for options in REQUESTS:
                shortcut = service.recommender.recommend_from(host_input, wide, **options)  # type: ignore[arg-type]
                if shortcut is not None:
                    per_host = candidates_needed(options["top_k"], len(placed))  # type: ignore[arg-type]
                    sure, end = wide.band(per_host, catalogue_size) or (0, 0)
                    answered += sure < end  # an answer with rows in the band
                    assert unnamed(shortcut) == unnamed(service.recommend(host, **options))
    assert answered > len(hosts)


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
            ranked = recommender._rank_catalogue(
                candidates.vector, candidates.has_history, host_input, top_k, min_fit, rules, "fit"
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
