"""The map from the logit to the fit: smooth, increasing, capped by the evidence."""

import numpy as np

from radar.matching.curves import fit_curve
from radar.matching.fit import FEATURES, FitModel

RNG = np.random.default_rng(3)


def sample(n: int = 3000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits whose pairs convert at 0.06 (low) or 0.85 (high), like categories do; a few
    of the highest all converted by chance (what isotonic turns into a block at 1.0)."""
    logits = np.concatenate([RNG.normal(-3.0, 1.0, n // 2), RNG.normal(2.0, 0.8, n // 2)])
    rate = np.where(logits > -0.5, 0.85, 0.06)
    labels = (RNG.random(n) < rate).astype(int)
    top = np.argsort(logits)[-8:]
    labels[top] = 1
    return logits, labels, np.ones(n)


def test_the_fit_never_exceeds_the_best_rate_the_placements_show() -> None:
    logits, labels, weights = sample()
    model = FitModel.of(np.zeros(len(FEATURES)), 0.0, {True: fit_curve(logits, labels, weights)})
    far = model.fits_from_scores(np.array([logits.max(), logits.max() + 10, 1e3]), has_history=True)
    assert np.round(far, 4).max() < 1.0
    top_rate = labels[logits > 0].mean()
    assert far.max() <= top_rate + 0.03


def test_the_curve_is_smooth_and_increasing_without_plateaus() -> None:
    logits, labels, weights = sample()
    curve = fit_curve(logits, labels, weights)
    model = FitModel.of(np.zeros(len(FEATURES)), 0.0, {False: curve})
    # the logits of the products a host's list holds: the upper part of the range
    grid = np.linspace(1.0, 3.0, 50)
    shown = np.round(model.fits_from_scores(grid, has_history=False), 4)
    assert np.all(np.diff(shown) > 0), "neighbouring logits tie at the shown precision"
    fine = np.linspace(-6.0, 6.0, 2001)
    fits = model.fits_from_scores(fine, has_history=False)
    steps = np.diff(fits)
    assert np.all(steps > 0)
    assert steps.max() < 0.01, "a cliff: the fit jumps between close logits"


def test_the_curve_is_calibrated_where_pairs_are() -> None:
    logits, labels, weights = sample(6000)
    model = FitModel.of(np.zeros(len(FEATURES)), 0.0, {True: fit_curve(logits, labels, weights)})
    fits = model.fits_from_scores(logits, has_history=True)
    high = logits > 1.0
    assert abs(fits[high].mean() - labels[high].mean()) < 0.03
    assert fits[logits < -4].mean() < 0.15


def test_the_top_rises_when_the_top_block_holds_the_best_rate() -> None:
    """When no smaller group of the best-scored placements converts better than the top
    block, the curve above the top block's centre must still rise (within the block's
    standard error), not sit flat at its rate: a flat top ties every product of a list."""
    logits = np.concatenate([RNG.normal(-3.0, 1.0, 1500), RNG.normal(2.0, 0.8, 1500)])
    labels = (RNG.random(3000) < np.where(logits > -0.5, 0.85, 0.06)).astype(int)
    order = np.argsort(logits)[::-1]
    labels[order[:150]] = np.resize([1, 1, 1, 1, 1, 0] * 5 + [1, 1, 0, 1, 1, 1], 150)
    curve = fit_curve(logits, labels, np.ones(3000))
    level = curve.fits[-1]
    above = curve(np.linspace(curve.logits[-1], logits.max() + 1.0, 200))
    assert np.all(np.diff(above) > 0), "the curve is flat above its last knot"
    standard_error = np.sqrt(level * (1 - level) / 100)
    assert above.max() < level + standard_error + 1e-9


def test_a_lucky_group_of_the_best_placements_does_not_lift_the_fit_towards_one() -> None:
    """The 30 best-scored placements all converted by chance (their true rate is 0.85, as
    for the 1,500 beside them): the curve's cap must not follow them towards 1.0. A group
    that small is noise (a new-host curve of the scenario rose to 0.995 this way)."""
    logits, labels, weights = sample()
    labels[np.argsort(logits)[-30:]] = 1
    curve = fit_curve(logits, labels, weights)
    top_rate = labels[logits > 0].mean()
    assert curve.cap <= top_rate + 0.05
    far = curve(np.array([logits.max() + 1.0, logits.max() + 10.0]))
    assert far.max() <= top_rate + 0.05


def test_the_warm_curves_top_rests_on_an_eighth_of_its_placements() -> None:
    """Of 1,600 placements of hosts with history, the best-scored 100 converted at 0.95
    and the next 100 at 0.75 (0.85 together, as such pairs do): the warm curve's top block
    holds the best 200 (an eighth), not the lucky 100; the new hosts' curve, fitted on the
    same placements, keeps a top block of 100."""
    n = 1600
    score = np.linspace(-4.0, 4.0, n)
    labels = (RNG.random(n) < np.where(score > 0, 0.7, 0.06)).astype(int)
    labels[-100:] = np.resize([1] * 19 + [0], 100)  # 0.95
    labels[-200:-100] = np.resize([1, 1, 1, 0], 100)  # 0.75
    X = np.zeros((2 * n, len(FEATURES)))
    X[:, 0] = np.tile(score, 2)
    warm = np.arange(2 * n) < n
    model = FitModel().fit(X, np.tile(labels, 2), warm=warm)
    assert abs(model.curves_[True].fits[-1] - 0.85) < 0.01
    assert abs(model.curves_[False].fits[-1] - 0.95) < 0.01
