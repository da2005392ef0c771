"""The gate's rule on the metrics a training run logs (`GATES` names them; that every one
of them is logged on a real run: tests/integration/test_gate.py)."""

import math

import pytest

from training.gate import GATES, Gate, decide_promotion

CHAMPION = {
    "coherence_cv": 0.60,
    "coherence_npmi": 0.10,
    "precision_at_5": 0.40,
    "ndcg_at_5": 0.80,
    "ece": 0.05,
    "ece_new_hosts": 0.07,
    "hosts_served_share": 0.90,
    "precision_at_min_fit": 0.85,
}
GATE = {gate.metric: gate for gate in GATES}


def worse(gate: Gate, by: float) -> float:
    """The champion's value of `gate`, made worse by `by`."""
    old = CHAMPION[gate.metric]
    return old - by if gate.higher_is_better else old + by


def test_the_fixture_covers_every_gate() -> None:
    assert set(CHAMPION) == set(GATE)


def test_first_model_becomes_champion() -> None:
    decision = decide_promotion("auto", CHAMPION, None)
    assert decision.promote and "no champion" in decision.reason


@pytest.mark.parametrize("gate", GATES, ids=lambda gate: gate.metric)
def test_each_metric_may_be_worse_within_its_tolerance_only(gate: Gate) -> None:
    within = decide_promotion(
        "auto", {**CHAMPION, gate.metric: worse(gate, 0.99 * gate.tolerance)}, CHAMPION
    )
    assert within.promote, within.reason
    beyond = decide_promotion(
        "auto", {**CHAMPION, gate.metric: worse(gate, 1.5 * gate.tolerance)}, CHAMPION
    )
    assert not beyond.promote and beyond.reason.startswith(f"refused: {gate.metric} ")


def test_the_stated_tolerances() -> None:
    assert {metric: (gate.higher_is_better, gate.tolerance) for metric, gate in GATE.items()} == {
        "coherence_cv": (True, 0.02),
        "coherence_npmi": (True, 0.02),
        "precision_at_5": (True, 0.02),
        "ndcg_at_5": (True, 0.02),
        "ece": (False, 0.02),
        "ece_new_hosts": (False, 0.03),
        "hosts_served_share": (True, 0.05),
        "precision_at_min_fit": (True, 0.03),
    }


def test_every_failing_metric_is_named() -> None:
    broken = {**CHAMPION, "ndcg_at_5": 0.0, "ece": 0.9}
    decision = decide_promotion("auto", broken, CHAMPION)
    assert not decision.promote
    assert "ndcg_at_5 0.0000 is below the champion's 0.8000" in decision.reason
    assert "ece 0.9000 is above the champion's 0.0500" in decision.reason


@pytest.mark.parametrize("missing", [None, math.nan], ids=["absent", "nan"])
def test_a_challenger_lacking_a_metric_the_champion_has_is_refused(missing: float | None) -> None:
    challenger = {key: value for key, value in CHAMPION.items() if key != "ece_new_hosts"}
    if missing is not None:
        challenger["ece_new_hosts"] = missing
    decision = decide_promotion("auto", challenger, CHAMPION)
    assert not decision.promote and "ece_new_hosts is missing" in decision.reason


def test_a_champion_from_before_the_new_metrics_compares_what_both_have() -> None:
    old_champion = {"coherence_cv": 0.60, "coherence_npmi": 0.10, "ece_new_hosts": math.nan}
    passes = decide_promotion("auto", CHAMPION, old_champion)
    assert passes.promote
    assert passes.reason.endswith(
        "not compared (the champion has none): precision_at_5, ndcg_at_5, ece, "
        "ece_new_hosts, hosts_served_share, precision_at_min_fit"
    )
    worse_topics = decide_promotion("auto", {**CHAMPION, "coherence_cv": 0.5}, old_champion)
    assert not worse_topics.promote and "coherence_cv" in worse_topics.reason


def test_always_and_never() -> None:
    bad = {"coherence_cv": 0.0, "coherence_npmi": -1.0}
    assert decide_promotion("always", bad, CHAMPION).promote
    assert not decide_promotion("never", CHAMPION, None).promote
