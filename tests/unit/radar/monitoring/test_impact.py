import numpy as np

from radar.monitoring.impact import estimate_impact


def _placements(uplift: float, seed: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Hosts of different base rates who follow recommendations at different rates (the
    strong hosts follow more): confounding a naive difference, not a stratified one."""
    rng = np.random.default_rng(seed)
    converted, followed, hosts, categories = [], [], [], []
    for host in range(60):
        base = rng.uniform(0.1, 0.6)
        follow_rate = 0.2 + base  # better hosts follow more often
        for _ in range(40):
            category = f"c{rng.integers(0, 3)}"
            rate = base + (0.1 if category == "c0" else 0.0)
            chose = rng.random() < follow_rate
            converted.append(int(rng.random() < rate + (uplift if chose else 0.0)))
            followed.append(chose)
            hosts.append(f"h{host}")
            categories.append(category)
    return np.array(converted), np.array(followed), hosts, categories


def test_recovers_a_planted_uplift_within_its_interval() -> None:
    for seed in range(5):
        estimate = estimate_impact(*_placements(0.12, seed), seed=seed)
        assert estimate is not None
        assert estimate.low <= 0.12 <= estimate.high, (seed, estimate)
        assert estimate.low > 0
        assert estimate.status == "ok"


def test_no_uplift_is_not_claimed_although_the_naive_difference_shows_one() -> None:
    estimate = estimate_impact(*_placements(0.0, 11))
    assert estimate is not None
    assert estimate.naive > 0.05  # the strong hosts follow more: a naive "uplift"
    assert estimate.low <= 0.0 <= estimate.high


def test_followed_placements_converting_worse_is_act() -> None:
    estimate = estimate_impact(*_placements(-0.2, 3))
    assert estimate is not None and estimate.status == "act"


def test_no_stratum_with_both_kinds() -> None:
    assert estimate_impact([1, 0], [True, False], ["a", "b"], ["x", "x"]) is None
