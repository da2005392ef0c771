import numpy as np

from radar.monitoring.calibration import check_calibration, check_calibration_by_group


def _outcomes(fit: np.ndarray, truth_rate: np.ndarray, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(len(fit)) < truth_rate).astype(int)


def test_calibrated_outcomes_stay_ok_on_many_seeds() -> None:
    for seed in range(20):
        fit = np.random.default_rng(100 + seed).uniform(0.05, 0.95, 400)
        check = check_calibration(_outcomes(fit, fit, seed), fit, min_fit=0.8)
        assert check.status == "ok", (seed, check.figures)


def test_known_miscalibration_is_act() -> None:
    # pairs convert at 60% of the promised fit (0.8-0.95 at about 0.5): a drifted model
    fit = np.random.default_rng(1).uniform(0.05, 0.95, 400)
    realised = 0.6 * fit
    check = check_calibration(_outcomes(fit, realised, 2), fit, min_fit=0.8)
    assert check.status == "act"
    by_name = {figure.name: figure for figure in check.figures}
    assert by_name["all.ece_excess"].status == "act"
    assert by_name["all.min_fit_shortfall"].status == "act"
    assert check.precision_at_min_fit < 0.65


def test_mild_miscalibration_is_watch() -> None:
    fit = np.random.default_rng(3).uniform(0.05, 0.95, 4000)
    check = check_calibration(_outcomes(fit, np.clip(fit - 0.09, 0, 1), 4), fit, min_fit=0.8)
    assert check.status == "watch"


def test_too_few_placements_are_not_judged() -> None:
    fit = np.full(10, 0.9)
    check = check_calibration(np.zeros(10), fit, min_fit=0.8)
    assert check.status == "ok"
    assert "not judged" in check.figures[0].note


def test_warm_and_new_hosts_apart() -> None:
    rng = np.random.default_rng(5)
    fit = rng.uniform(0.05, 0.95, 800)
    warm = np.arange(800) < 400
    realised = np.where(warm, fit, np.clip(fit - 0.35, 0, 1))  # new hosts miscalibrated
    checks = check_calibration_by_group(_outcomes(fit, realised, 6), fit, warm, min_fit=0.8)
    status = {check.group: check.status for check in checks}
    assert status["warm"] == "ok"
    assert status["new"] == "act"
    assert [check.pairs for check in checks] == [800, 400, 400]
