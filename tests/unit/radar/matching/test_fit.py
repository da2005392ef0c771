import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from radar.matching.curves import Curve
from radar.matching.fit import (
    FEATURES,
    AffinityFit,
    FitModel,
    HostSide,
    ProductSide,
    fit_from_dict,
    pair_features,
    product_vectors,
)

RNG = np.random.default_rng(0)


def distribution(k: int = 5) -> np.ndarray:
    values = RNG.random(k)
    return values / values.sum()


def host(has_history: bool = True) -> HostSide:
    rates = RNG.random(3)
    return HostSide(
        *(distribution() for _ in range(6)),
        rates,
        rates / rates.sum(),
        RNG.random(3),
        unit(RNG.normal(size=4)),
        has_history=has_history,
    )


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def products(n: int) -> ProductSide:
    return ProductSide(
        np.sqrt(np.vstack([distribution() for _ in range(n)])),
        np.vstack([distribution(3) for _ in range(n)]),
        np.vstack([unit(RNG.normal(size=4)) for _ in range(n)]),
    )


def test_affinities_are_bhattacharyya_coefficients() -> None:
    side = host()
    catalogue = products(4)
    features = pair_features(side, catalogue)
    assert features.shape == (4, len(FEATURES))
    expected = np.sqrt(catalogue.roots**2 * side.combined).sum(axis=1)
    np.testing.assert_allclose(features[:, 0], expected)
    assert np.all((features[:, :6] >= 0) & (features[:, :6] <= 1 + 1e-12))
    np.testing.assert_allclose(features[:, 6], catalogue.categories @ side.category_rate)
    word = FEATURES.index("word_similarity")
    np.testing.assert_allclose(features[:, word], catalogue.words @ side.words)
    assert np.all(np.abs(features[:, word]) <= 1 + 1e-12)
    np.testing.assert_array_equal(features[:, -1], 1.0)


def test_the_logit_is_one_dot_product() -> None:
    model = FitModel.of(np.array([2.0, 0.5, -0.3, 1.5, -1.0, 0.8, 1.2, 0.4, 2.2, 1.1, 0.2]), -1.7)
    side = host()
    catalogue = products(6)
    via_features = model.predict_fit(pair_features(side, catalogue))
    logits = product_vectors(catalogue) @ model.host_vector(side)
    np.testing.assert_allclose(model.fits_from_scores(logits, has_history=True), via_features)


def test_uncalibrated_scores_are_the_topic_affinity() -> None:
    side, catalogue = host(), products(5)
    scores = product_vectors(catalogue) @ AffinityFit().host_vector(side)
    np.testing.assert_allclose(
        AffinityFit().fits_from_scores(scores, has_history=True),
        pair_features(side, catalogue)[:, 0],
    )


def test_uncalibrated_fit_is_the_topic_affinity() -> None:
    features = pair_features(host(), products(3))
    model = AffinityFit()
    assert not model.calibrated
    np.testing.assert_array_equal(model.predict_fit(features), features[:, 0])


def test_curves_map_the_logit_per_kind_of_host() -> None:
    curves = {True: Curve((-1.0, 1.0), (0.1, 0.9), 0.95)}
    coef = np.array([2.0, 0.5, -0.3, 1.5, -1.0, 0.8, 1.2, 0.4, 2.2, 1.1, 0.2])
    model = FitModel.of(coef, -1.7, curves)
    catalogue = products(6)
    for side in (host(), host(has_history=False)):
        logits = product_vectors(catalogue) @ model.host_vector(side)
        fits = model.fits_from_scores(logits, has_history=side.has_history)
        np.testing.assert_allclose(model.predict_fit(pair_features(side, catalogue)), fits)
        assert np.all(np.diff(fits[np.argsort(logits)]) >= 0)
    along = model.fits_from_scores(np.array([-5.0, -1.0, 0.0, 1.0, 5.0]), has_history=True)
    np.testing.assert_allclose(along[1:4], [0.1, 0.5, 0.9])
    assert np.all(np.diff(along) > 0) and along[0] > 0 and along[-1] < 0.95
    np.testing.assert_allclose(model.fits_from_scores(np.array([0.0]), has_history=False), [0.5])


def test_round_trip() -> None:
    curves = {False: Curve((-1.0, 0.0, 2.0), (0.05, 0.3, 0.8), 0.85)}
    floors = {True: 1.5, False: -0.25}
    coef = np.arange(len(FEATURES), dtype=float)
    model = FitModel.of(coef, 0.5, curves, 0.6, floors, fitting_rate=0.2, C=3.0)
    again = fit_from_dict(model.to_dict())
    assert isinstance(again, FitModel)
    np.testing.assert_array_equal(again.coef_, model.coef_)
    assert again.intercept_ == 0.5
    assert again.curves_ == curves
    assert again.affinity_floor_ == 0.6
    assert again.score_floors_ == floors and again.fitting_rate_ == 0.2
    assert again.get_params() == {"C": 3.0, "max_iter": 5000}
    assert not fit_from_dict(AffinityFit().to_dict()).calibrated


def test_the_pair_model_keeps_scikit_learns_contract() -> None:
    """Parameters from the constructor, nothing usable before `fit`, learned state with a
    trailing underscore, `predict_proba` rows summing to 1, weights honoured."""
    unfitted = FitModel(C=10.0)
    assert clone(unfitted).get_params() == {"C": 10.0, "max_iter": 5000}
    with pytest.raises(NotFittedError):
        unfitted.predict_proba(np.zeros((1, len(FEATURES))))
    with pytest.raises(NotFittedError):
        unfitted.host_vector(host())
    rng = np.random.default_rng(1)
    X = rng.random((400, len(FEATURES)))
    X[:, -1] = rng.random(400) < 0.5
    y = (X[:, 0] + 0.2 * rng.standard_normal(400) > 0.5).astype(int)
    fitted = FitModel(C=10.0).fit(X, y)
    assert fitted.coef_.shape == (len(FEATURES),) and list(fitted.classes_) == [0, 1]
    assert set(fitted.curves_) == {True, False}
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.corrcoef(proba[:, 1], X[:, 0])[0, 1] > 0.5  # it learned the signal
    weighted = FitModel(C=10.0).fit(X, y, sample_weight=np.where(y == 1, 5.0, 1.0))
    assert weighted.predict_proba(X)[:, 1].mean() > proba[:, 1].mean()
    with pytest.raises(ValueError, match="columns"):
        FitModel().fit(X[:, :3], y)
