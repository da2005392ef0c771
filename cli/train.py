"""`radar train`: train, track and register a model from the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cli.render import console, print_training
from cli.store import open_settings_store
from radar.settings import Settings, ensure_home

if TYPE_CHECKING:
    from training.gate import Policy


def train(
    num_topics: Annotated[str, typer.Option(help="'auto' (sweep and choose) or a number")] = "auto",
    promote: Annotated[str, typer.Option(help="auto (gate), always or never")] = "auto",
    candidates: Annotated[str, typer.Option(help="topic counts tried by auto")] = "8,12,16,20,30",
    labels: Annotated[
        Path | None,
        typer.Option(
            help="CSV of label,keywords (default: $RADAR_HOME/topic_labels.csv if present, "
            "else the champion's label rules)"
        ),
    ] = None,
    experiment: Annotated[
        str | None, typer.Option(help="MLflow experiment (default: $RADAR_EXPERIMENT_NAME)")
    ] = None,
    seed: int = 0,
) -> None:
    """Train a topic model from the store, track it in MLflow, register it as challenger."""
    if promote not in ("auto", "always", "never"):
        raise typer.BadParameter("--promote takes auto, always or never")
    try:
        topics = None if num_topics == "auto" else int(num_topics)
        tried = [int(k) for k in candidates.split(",") if k.strip()]
    except ValueError:
        raise typer.BadParameter("--num-topics and --candidates take whole numbers") from None
    settings = Settings()
    if settings.database_url is None or settings.mlflow_tracking_uri is None:
        ensure_home(settings.home)  # the store or the registry lives in RADAR_HOME
    # NumPy, then MLflow (seconds): imported only once the checks above have passed
    from radar.topics.labels import home_labels_file
    from training.run import run_training

    outcome = run_training(
        open_settings_store(settings),
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        experiment=experiment or settings.experiment_name,
        num_topics=topics,
        candidates=tried,
        promote=cast("Policy", promote),
        labels_path=labels or home_labels_file(settings.home),
        seed=seed,
        min_fit=settings.min_fit,
        on_step=lambda message: console.print(f"  {message}"),
    )
    print_training(settings.model_name, outcome)
