"""`radar promote`: move the champion alias to a version."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.render import console
from radar.settings import Settings, ensure_home


def promote(version: Annotated[str, typer.Argument(help="registered model version")]) -> None:
    """Make VERSION the champion (promote a challenger, or roll back to an older version)."""
    if not version.isdigit():
        raise typer.BadParameter(f"VERSION is a version number like 3, got {version!r}")
    from radar.service.registry_probe import require_registry  # SQLAlchemy: only when it runs

    settings = Settings()
    if settings.mlflow_tracking_uri is None:  # the registry lives in RADAR_HOME
        ensure_home(settings.home)
    require_registry(settings.resolved_mlflow_tracking_uri, settings.model_name)
    from training.tracking import promote_version  # MLflow (seconds): once the checks passed

    promote_version(
        settings.resolved_mlflow_tracking_uri,
        settings.experiment_name,
        settings.model_name,
        version,
    )
    console.print(f"{settings.model_name}@champion → version {version}")
