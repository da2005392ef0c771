import numpy as np

from radar.matching.fit import FEATURES, FitModel, HostSide, pair_features

RNG = np.random.default_rng(0)


def distribution(k: int = 5) -> np.ndarray:
    values = RNG.random(k)
    return values / values.sum()


def host(has_history: bool = True) -> HostSide:
    return HostSide(*(distribution() for _ in range(6)), has_history=has_history)


def test_affinities_are_bhattacharyya_coefficients() -> None:
    side = host()
    products = np.vstack([distribution() for _ in range(4)])
    features = pair_features(side, np.sqrt(products))
    assert features.shape == (4, len(FEATURES))
    expected = np.sqrt(products * side.combined).sum(axis=1)
    np.testing.assert_allclose(features[:, 0], expected)
    assert np.all((features[:, :6] >= 0) & (features[:, :6] <= 1 + 1e-12))
    np.testing.assert_array_equal(features[:, 6], 1.0)


def test_the_logit_is_one_dot_product() -> None:
    model = FitModel(np.array([2.0, 0.5, -0.3, 1.5, -1.0, 0.8, 0.2]), -1.7)
    side = host()
    roots = np.sqrt(np.vstack([distribution() for _ in range(6)]))
    via_features = model.predict(pair_features(side, roots))
    logits = FitModel.product_vectors(roots) @ model.host_vector(side)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), via_features)


def test_uncalibrated_fit_is_the_topic_affinity() -> None:
    features = pair_features(host(), np.sqrt(np.vstack([distribution() for _ in range(3)])))
    model = FitModel()
    assert not model.calibrated
    np.testing.assert_array_equal(model.predict(features), features[:, 0])


def test_round_trip() -> None:
    model = FitModel(np.arange(7, dtype=float), 0.5)
    again = FitModel.from_dict(model.to_dict())
    np.testing.assert_array_equal(again.coef, model.coef)
    assert again.intercept == 0.5
    assert not FitModel.from_dict(FitModel().to_dict()).calibrated
