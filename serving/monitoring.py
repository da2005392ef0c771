"""The monitoring section of `GET /v1/model`: the latest `radar monitor` run of the served
version, read from the MLflow tracking store (nothing when there is none, or when the
store cannot be read: the model's own answer never fails for it)."""

from __future__ import annotations

import logging

from serving.schemas import MonitoringPublic

EXPERIMENT = "selection-radar"
STATUSES = ("ok", "watch", "act")
logger = logging.getLogger(__name__)


def latest_monitoring(tracking_uri: str, model_version: str) -> MonitoringPublic | None:
    """The status and `act`/`watch` figures of the served version's latest monitor run."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri=tracking_uri)
    try:
        experiment = client.get_experiment_by_name(EXPERIMENT)
        if experiment is None:
            return None
        runs = client.search_runs(
            [experiment.experiment_id],
            filter_string=(
                f"tags.trigger = 'radar monitor' and tags.model_version = '{int(model_version)}'"
            ),
            order_by=["attributes.start_time DESC"],
            max_results=1,
        )
    except (MlflowException, ValueError) as error:
        logger.warning("monitoring status unavailable: %s", type(error).__name__)
        return None
    if not runs:
        return None
    run = runs[0]
    figures = {
        name.removeprefix("status."): STATUSES[int(value)]
        for name, value in run.data.metrics.items()
        if name.startswith("status.") and 0 <= int(value) < len(STATUSES)
    }
    return MonitoringPublic(
        status=run.data.tags.get("status", "ok"),
        monitored_at=run.info.start_time,
        attention={name: status for name, status in sorted(figures.items()) if status != "ok"},
    )
