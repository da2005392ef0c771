"""A list is ordered by the model: fits that tie as shown follow the model's score, not
the product id."""

from __future__ import annotations

import numpy as np

from radar.matching.curves import Curve, fit_curve
from radar.matching.fit import FitModel
from radar.matching.model import RadarModel
from radar.matching.recommender import Recommender, shown_fits
from tests.unit.radar.matching.test_abstention import profile, recommender  # noqa: F401


def test_fits_on_a_flat_top_are_listed_in_the_order_of_their_scores(
    recommender: Recommender,  # noqa: F811
) -> None:
    fit = recommender.model.fit
    assert isinstance(fit, FitModel)
    flat = Curve((-3.0, 0.0, 1.0), (0.05, 0.5, 0.85), 0.85)  # every logit above 1: 0.85
    plateau = FitModel.of(fit.coef_, fit.intercept_, {True: flat, False: flat})
    ranked = Recommender(RadarModel(recommender.model.topics, plateau), recommender.catalogue)
    host = profile(ranked, "makeup", "makeup")
    result = ranked.recommend(host, min_fit=0.8, top_k=8)
    assert len(result.items) >= 4 and {item.fit for item in result.items} == {0.85}
    rows = [ranked.catalogue.index[item.product_id] for item in result.items]
    side = ranked.host_side(host, [])
    scores = ranked.product_vectors[rows] @ plateau.host_vector(side)
    assert np.all(np.diff(scores) <= 0), "tied fits listed by product id, not by score"
    assert [item.product_id for item in result.items] != sorted(
        item.product_id for item in result.items
    )


def test_a_list_on_a_calibrated_top_shows_the_models_order() -> None:
    """Outcomes by category: pairs of a fitting category all convert at about 0.85, so a
    calibrated curve is nearly flat where a list's products are, and neighbours' logits
    differ by about 0.002 (the scenario's median). Their fits, as shown, must still differ."""
    rng = np.random.default_rng(11)
    logits = np.concatenate([rng.normal(-3.0, 1.0, 1500), rng.normal(2.0, 0.8, 1500)])
    labels = (rng.random(3000) < np.where(logits > -0.5, 0.85, 0.06)).astype(int)
    curve = fit_curve(logits, labels, np.ones(3000))
    listed = curve.logits[-1] + 0.05 - 0.002 * np.arange(50)
    shown = shown_fits(curve(listed))
    ties = np.mean(shown[1:] == shown[:-1])
    assert ties <= 0.05, f"{ties:.0%} of neighbours tie as shown"
