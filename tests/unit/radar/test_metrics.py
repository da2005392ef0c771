import math

import pytest

from radar.metrics import (
    catalogue_coverage,
    expected_calibration_error,
    ndcg_at_k,
    precision_above,
    precision_at_k,
    recall_at_k,
    reliability_table,
    share_of_hosts_served,
)

TRUTH = {"h1": {"a", "b", "c"}, "h2": {"d"}}
RECS = {"h1": ["a", "x", "b", "y"], "h2": ["y", "d"]}


def test_precision_at_k_counts_empty_slots_as_misses() -> None:
    assert precision_at_k(TRUTH, RECS, k=2) == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert precision_at_k(TRUTH, RECS, k=4) == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert precision_at_k(TRUTH, {"h1": ["a"]}, k=2) == pytest.approx((1 / 2 + 0) / 2)


def test_recall_at_k() -> None:
    assert recall_at_k(TRUTH, RECS, k=2) == pytest.approx((1 / 3 + 1) / 2)
    assert recall_at_k({"h": set(), "g": {"a"}}, {"g": ["a"]}, k=1) == 1.0  # h has nothing to find


def test_ndcg_at_k_by_hand() -> None:
    # h1: hits at ranks 1 and 3 → (1 + 1/log2(4)) / (1 + 1/log2(3) + 1/log2(4))
    h1 = (1 + 0.5) / (1 + 1 / math.log2(3) + 0.5)
    h2 = (1 / math.log2(3)) / 1
    assert ndcg_at_k(TRUTH, RECS, k=3) == pytest.approx((h1 + h2) / 2)
    assert ndcg_at_k({"h": {"a"}}, {"h": ["a"]}, k=5) == pytest.approx(1.0)


def test_catalogue_coverage() -> None:
    assert catalogue_coverage(RECS, catalogue_size=10, k=2) == pytest.approx(4 / 10)
    with pytest.raises(ValueError):
        catalogue_coverage(RECS, catalogue_size=0)


def test_share_of_hosts_served() -> None:
    assert share_of_hosts_served(
        {"h1": [0.9, 0.1], "h2": [0.79], "h3": []}, threshold=0.8
    ) == pytest.approx(1 / 3)


def test_calibration_by_hand() -> None:
    y_true = [1, 0, 1, 1, 0, 0, 0, 1]
    y_prob = [0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1]
    # bin 0.9: predicted 0.9, observed 0.75; bin 0.1: predicted 0.1, observed 0.25
    assert reliability_table(y_true, y_prob) == [
        (0.1, pytest.approx(0.1), 0.25, 4),
        (0.9, pytest.approx(0.9), 0.75, 4),
    ]
    assert expected_calibration_error(y_true, y_prob) == pytest.approx(0.15)
    assert precision_above(y_true, y_prob, threshold=0.8) == 0.75
    assert math.isnan(precision_above(y_true, y_prob, threshold=0.95))


def test_calibration_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="shape"):
        expected_calibration_error([1, 0], [0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        expected_calibration_error([1], [1.5])


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(TRUTH, RECS, k=0)
