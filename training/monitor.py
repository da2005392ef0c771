"""`radar monitor`: measure the champion on the store, log a monitoring run, and retrain
when it matters.

`--act` trains (and goes through the promotion gate, `training.gate`) only when a figure's
status is `act`, or the champion is older than `RADAR_RETRAIN_AFTER_DAYS`; otherwise it
trains nothing. Meant for cron, e.g. every Monday at 06:00 after the weekend's ingest:

    0 6 * * 1  cd /srv/radar && .venv/bin/radar monitor --act --json >> monitor.jsonl
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mlflow
from sqlalchemy import Engine

from radar.matching.model import RadarModel
from radar.monitoring.report import MonitoringReport
from radar.service.monitoring import measure
from training.run import TrainingOutcome
from training.tracking import champion_data_until, use_tracking

EXPERIMENT = "selection-radar"
REPORT_FILE = "monitoring.json"


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


def retrain_reason(report: MonitoringReport, *, max_age_days: float) -> str | None:
    """Why the champion should be retrained now, or None when it should not."""
    acting = report.acting()
    if acting:
        return "monitoring says act: " + ", ".join(figure.name for figure in acting)
    if report.champion_age_days >= max_age_days:
        return f"the champion is {report.champion_age_days:.0f} days old (≥ {max_age_days:g})"
    return None


def retrain_when_needed(
    report: MonitoringReport, *, max_age_days: float, train: Callable[[], TrainingOutcome]
) -> Retraining:
    """Call `train` (a `run_training` through the gate) only when `retrain_reason` says so."""
    reason = retrain_reason(report, max_age_days=max_age_days)
    if reason is None:
        return Retraining(
            f"no retraining: no figure says act and the champion is "
            f"{report.champion_age_days:.0f} days old (< {max_age_days:g})"
        )
    return Retraining(reason, train())


def _metric_names(metrics: dict[str, float]) -> dict[str, float]:
    """MLflow metric names allow letters, digits and `_-./ `: table names already do."""
    return {name.replace(":", "_"): value for name, value in metrics.items()}
