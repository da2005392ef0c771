import pytest

from training.gate import decide_promotion

GOOD = {"coherence_cv": 0.60, "coherence_npmi": 0.10, "ndcg_at_5": 0.80, "fit_holdout_ece": 0.05}


def test_first_model_becomes_champion() -> None:
    decision = decide_promotion("auto", GOOD, None)
    assert decision.promote and "no champion" in decision.reason


@pytest.mark.parametrize(
    ("challenger", "promote"),
    [
        ({**GOOD, "coherence_cv": 0.59, "coherence_npmi": 0.09}, True),  # within tolerance
        ({**GOOD, "coherence_cv": 0.55}, False),  # c_v much worse
        ({**GOOD, "coherence_npmi": 0.05}, False),  # NPMI much worse
        ({**GOOD, "ndcg_at_5": 0.70}, False),  # ranks held-out placements worse
        ({**GOOD, "fit_holdout_ece": 0.09}, False),  # calibrated worse
        ({**GOOD, "fit_holdout_ece": 0.01, "ndcg_at_5": 0.9}, True),  # better
        ({"coherence_npmi": 0.2}, False),  # gated metrics missing
    ],
)
def test_auto_compares_with_the_champion(challenger: dict[str, float], promote: bool) -> None:
    assert decide_promotion("auto", challenger, GOOD).promote is promote


def test_always_and_never() -> None:
    bad = {"coherence_cv": 0.0, "coherence_npmi": -1.0}
    assert decide_promotion("always", bad, GOOD).promote
    assert not decide_promotion("never", GOOD, None).promote
