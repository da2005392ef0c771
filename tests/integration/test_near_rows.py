"""A whole-catalogue ranking maps only its best-scored rows to fits when the rows within
reach of the answer are among them (`Recommender._near`): the same rows as mapping every
row, for every kind of request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import pytest

from radar.matching import recommender as recommender_module
from radar.matching.fit import FitModel
from radar.matching.ranking import BusinessFilters
from radar.matching.recommender import NEAR_CUT, Ask, HostInput
from radar.service.service import RadarService
from radar.store.reads import load_host_ids

ASKS = [
    (20, 0.8, BusinessFilters(), "fit"),
    (5, 0.99, BusinessFilters(), "fit"),  # below the cut: no row within reach
    (20, 0.5, BusinessFilters(), "fit"),
    (3, 0.0, BusinessFilters(), "fit"),
    (50, 0.3, BusinessFilters(), "fit"),
    (100, 0.0, BusinessFilters(), "fit"),  # more than NEAR_ROWS wanted
    (20, 0.5, BusinessFilters(max_per_category=2), "fit"),  # no top_k-th to reach for
    (20, 0.5, BusinessFilters(), "proposal"),
    (20, 0.0, BusinessFilters(price_max=120.0), "fit"),
    (500, 0.0, BusinessFilters(), "fit"),  # as many as the catalogue holds, about
]


def every_row_near(service: RadarService, scores: np.ndarray, has_history: bool, ask: Ask):  # type: ignore[no-untyped-def]
    """The rows within reach with every row's fit worked out (what `_near` spares)."""
    top_k, min_fit, filters, rank_by = ask
    rough = service.recommender.model.fit.fits_from_scores(scores, has_history=has_history)
    reach = min_fit - NEAR_CUT
    if rank_by == "fit" and filters.max_per_category is None and top_k < len(rough):
        reach = max(
            reach, np.partition(rough, len(rough) - top_k)[len(rough) - top_k] - 3 * NEAR_CUT
        )
    return np.flatnonzero(rough >= reach)


def scored_hosts(service: RadarService, filters: BusinessFilters) -> Iterator[ScoredHost]:
    """Each host with a ready profile, with its host side, vector and rough scores."""
    recommender = service.recommender
    for host in load_host_ids(service.engine):
        profile = service.profile(host)
        if not profile.ready:
            continue
        outcomes, placed = service.history(host)
        side = recommender.host_side(profile, outcomes)
        vector = recommender.model.fit.host_vector(side)
        _, scores = recommender._rough_scores(vector, filters, placed)
        yield ScoredHost(HostInput(profile, outcomes, placed), side.has_history, vector, scores)


class ScoredHost(NamedTuple):
    host: HostInput
    has_history: bool
    vector: np.ndarray
    scores: np.ndarray


@pytest.mark.parametrize("ask", ASKS)
def test_the_best_scored_rows_hold_every_row_within_reach(
    service: RadarService,
    ask: tuple[int, float, BusinessFilters, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(The demo's catalogue passes a few hundred rows at most: fewer best rows are mapped
    first, so that they are fewer than the rows passing.)"""
    monkeypatch.setattr(recommender_module, "NEAR_ROWS", 8)
    recommender = service.recommender
    asked = Ask(ask[0], ask[1], recommender.filters_for(ask[2]), ask[3])
    spared = 0
    for _, has_history, _, scores in scored_hosts(service, asked.filters):
        near = recommender._near(scores, has_history, asked)
        assert np.array_equal(near, every_row_near(service, scores, has_history, asked))
        spared += len(near) < max(8, 2 * asked.top_k) < len(scores)
    assert spared or asked.top_k > 20 or asked.rank_by == "proposal" or asked.min_fit == 0.0
    if asked.min_fit == 0.99:
        assert spared  # (every host's list is below that cut)


def test_no_fit_is_worked_out_that_cannot_change_the_answer(
    service: RadarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked from a cut of 0, `_near` does not map the best score to a fit to learn whether
    any row is within reach (no fit is below 0), and a whole-catalogue ranking with no row
    within reach (a list below the cut, asked at it) maps nothing after that one fit."""
    recommender = service.recommender
    mapped = 0
    fits_from_scores = FitModel.fits_from_scores

    def counted(model: FitModel, scores: np.ndarray, *, has_history: bool) -> np.ndarray:
        nonlocal mapped
        mapped += 1
        return fits_from_scores(model, scores, has_history=has_history)

    monkeypatch.setattr(FitModel, "fits_from_scores", counted)
    filters = recommender.filters_for(None)
    below = 0
    for host, has_history, vector, scores in scored_hosts(service, filters):
        mapped = 0
        recommender._near(scores, has_history, Ask(3, 0.0, filters, "fit"))
        assert mapped == 1  # the best-scored rows' fits (or every row's), nothing before
        mapped = 0
        if not recommender._rank_catalogue(vector, has_history, host, Ask(5, 0.99, filters, "fit")):
            below += 1
            assert mapped == 1  # the best score's fit: under the cut, so nothing within reach
    assert below >= 3
