"""When `radar monitor --act` trains: a figure says act and `--act` has not trained within
the cool-down, or the champion is older than the set age, whatever the cool-down."""

import pytest

from radar.monitoring.report import MonitoringReport
from radar.monitoring.status import Figure, Status
from training.monitor import retrain_reason

MAX_AGE, COOLDOWN = 30.0, 7.0


def report(status: Status, age_days: float) -> MonitoringReport:
    figure = Figure("drift.hosts_new_vocabulary_share", 0.2, status, "watch ≥ 0.02, act ≥ 0.05")
    return MonitoringReport("1", "2026-11-01", age_days, "2026-10-31", ("a", "b"), [figure])


def decide(status: Status, age_days: float, since: float | None) -> tuple[bool, str]:
    return retrain_reason(
        report(status, age_days),
        max_age_days=MAX_AGE,
        cooldown_days=COOLDOWN,
        days_since_retrain=since,
    )


@pytest.mark.parametrize("since", [None, 7.0, 20.0])
def test_act_trains_when_act_never_trained_or_the_cooldown_is_over(since: float | None) -> None:
    train, reason = decide("act", 3.0, since)
    assert train, reason
    assert reason == "monitoring says act: drift.hosts_new_vocabulary_share"


@pytest.mark.parametrize("since", [0.0, 2.5, 6.9])
def test_act_within_the_cooldown_does_not_train(since: float) -> None:
    train, reason = decide("act", 3.0, since)
    assert not train
    assert "cool-down" in reason and "RADAR_RETRAIN_COOLDOWN_DAYS" in reason, reason


@pytest.mark.parametrize("status", ["ok", "watch"])
def test_no_act_no_training_even_after_the_cooldown(status: Status) -> None:
    train, reason = decide(status, 3.0, None)
    assert not train
    assert reason.startswith("no retraining: no figure says act"), reason


@pytest.mark.parametrize(("status", "since"), [("ok", 1.0), ("act", 1.0), ("watch", None)])
def test_a_champion_older_than_the_set_age_trains_whatever_the_cooldown(
    status: Status, since: float | None
) -> None:
    train, reason = decide(status, 31.0, since)
    assert train
    assert reason == "the champion is 31 days old (≥ 30)"
