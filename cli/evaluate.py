"""`radar evaluate`: the champion's offline metrics."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cli.render import console
from cli.store import open_settings_store
from radar.settings import Settings


def evaluate(
    as_json: Annotated[bool, typer.Option("--json", help="print metrics as JSON")] = False,
) -> None:
    """Offline metrics of the champion on the store's held-out placements."""
    # SQLAlchemy, then the model's code and MLflow: imported only when the command runs
    from radar.service.registry_probe import require_champion
    from training.evaluate import evaluate_champion

    settings = Settings()
    require_champion(settings.resolved_mlflow_tracking_uri, settings.model_name)
    loaded, report = evaluate_champion(
        open_settings_store(settings),
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        cache=settings.model_cache_dir,
        min_fit=settings.min_fit,
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "model_version": loaded.version,
                    "k": report.k,
                    "min_fit": report.min_fit,
                    "calibrated": report.calibrated,
                    "holdout_placements": report.holdout_placements,
                    "hosts_evaluated": report.hosts_evaluated,
                    **report.metrics,
                }
            )
        )
        return
    table = Table(
        title=f"{settings.model_name} version {loaded.version}: "
        f"{report.holdout_placements} held-out placements, "
        f"{report.hosts_evaluated} hosts",
        title_justify="left",
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report.metrics.items():
        table.add_row(name, f"{value:.3f}")
    console.print(table)
