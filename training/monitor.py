"""`radar monitor`: measure the champion on the store, log a monitoring run, and retrain
when it matters.

`--act` trains (and goes through the promotion gate, `training.gate`) only when a figure's
status is `act` and its last training is `RADAR_RETRAIN_COOLDOWN_DAYS` old (a refused
retraining is not tried again on every run while the status stays act), or when the
champion is older than `RADAR_RETRAIN_AFTER_DAYS`; otherwise it trains nothing. Meant
for cron, e.g. every Monday at 06:00 after the weekend's ingest:

    0 6 * * 1  cd /srv/radar && .venv/bin/radar monitor --act --json >> monitor.jsonl
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from sqlalchemy import Engine

from radar.matching.model import RadarModel
from radar.monitoring.report import MonitoringReport
from radar.service.monitoring import measure
from training.run import TrainingOutcome
from training.tracking import champion_data_until, use_tracking

EXPERIMENT = "selection-radar"
REPORT_FILE = "monitoring.json"
ACT_TRIGGER = "radar monitor --act"
"""The `trigger` tag of the runs `--act` trains (`radar train`'s say `radar train`)."""


@dataclass(frozen=True)
class Retraining:
    """Why `--act` trained or did not, and what training did (None: it did not train)."""

    reason: str
    outcome: TrainingOutcome | None = None


def monitor_champion(
    engine: Engine,
    model: RadarModel,
    *,
    model_version: str,
    tracking_uri: str,
    model_name: str,
    min_fit: float,
    weeks: int = 4,
    experiment: str = EXPERIMENT,
) -> MonitoringReport:
    """Measure the champion (`radar.service.monitoring.measure`) and log the figures as a
    `monitor` run: every figure and status as metrics, the report as `monitoring.json`."""
    use_tracking(tracking_uri, experiment)
    report = measure(
        engine,
        model,
        model_version=model_version,
        data_until=champion_data_until(model_name),
        weeks=weeks,
        min_fit=min_fit,
    )
    with mlflow.start_run(run_name="monitor"):
        mlflow.set_tags(
            {
                "trigger": "radar monitor",
                "model_version": model_version,
                "status": report.status,
            }
        )
        mlflow.log_params({"weeks": weeks, "min_fit": min_fit})
        mlflow.log_metrics(_metric_names(report.metrics()))
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / REPORT_FILE
            path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
            mlflow.log_artifact(str(path))
    return report


def retrain_reason(
    report: MonitoringReport,
    *,
    max_age_days: float,
    cooldown_days: float,
    days_since_retrain: float | None,
) -> tuple[bool, str]:
    """Whether to train now, and why: when a figure says act, unless `--act` trained less
    than `cooldown_days` ago (`days_since_retrain`; None: never); always when the champion
    is `max_age_days` old."""
    if report.champion_age_days >= max_age_days:
        return True, f"the champion is {report.champion_age_days:.0f} days old (≥ {max_age_days:g})"
    acting = report.acting()
    if not acting:
        return False, (
            f"no retraining: no figure says act and the champion is "
            f"{report.champion_age_days:.0f} days old (< {max_age_days:g})"
        )
    names = ", ".join(figure.name for figure in acting)
    if days_since_retrain is not None and days_since_retrain < cooldown_days:
        return False, (
            f"no retraining: monitoring says act ({names}) but --act trained "
            f"{days_since_retrain:.1f} days ago, within the cool-down of {cooldown_days:g} "
            f"days (RADAR_RETRAIN_COOLDOWN_DAYS); the champion is "
            f"{report.champion_age_days:.0f} days old (< {max_age_days:g})"
        )
    return True, f"monitoring says act: {names}"


def retrain_when_needed(
    report: MonitoringReport,
    *,
    max_age_days: float,
    cooldown_days: float,
    experiment: str,
    train: Callable[[], TrainingOutcome],
) -> Retraining:
    """Call `train` (a `run_training` in `experiment`, through the gate) only when
    `retrain_reason` says so, and mark its run as `--act`'s: the cool-down counts from its
    start. MLflow tracking is where `monitor_champion` pointed it."""
    go, reason = retrain_reason(
        report,
        max_age_days=max_age_days,
        cooldown_days=cooldown_days,
        days_since_retrain=days_since_act_retrain(experiment),
    )
    if not go:
        return Retraining(reason)
    outcome = train()
    MlflowClient().set_tag(outcome.run_id, "trigger", ACT_TRIGGER)
    return Retraining(reason, outcome)


def days_since_act_retrain(experiment: str) -> float | None:
    """Days since the latest run of `experiment` that `radar monitor --act` trained
    started (None: none did)."""
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        return None
    runs = MlflowClient().search_runs(
        [found.experiment_id],
        filter_string=f"tags.trigger = '{ACT_TRIGGER}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        return None
    started = datetime.fromtimestamp(runs[0].info.start_time / 1000, UTC)
    return (datetime.now(UTC) - started).total_seconds() / 86400


def _metric_names(metrics: dict[str, float]) -> dict[str, float]:
    """MLflow metric names allow letters, digits and `_-./ `: table names already do."""
    return {name.replace(":", "_"): value for name, value in metrics.items()}
