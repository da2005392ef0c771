"""Which topic label rules a training applies, and keeping them with its run.

A run trained with label rules logs them as the artifact `topic_labels.csv` (the labels
file's own format, so it can be downloaded, edited and passed back with `--labels`). A
training given no labels file reuses the champion's, so human labels survive retraining.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
from mlflow import MlflowClient

from radar.topics.labels import LABELS_FILE, LabelRules, read_label_rules, write_label_rules
from training.tracking import champion_run


@dataclass(frozen=True)
class ChosenRules:
    """The rules to apply (empty: topics keep their top words) and where they came from."""

    rules: LabelRules
    source: str


def choose_label_rules(labels_path: Path | None, model_name: str) -> ChosenRules:
    """The rules of `labels_path` when given, else those kept with the champion's run,
    else none. MLflow tracking must already point at the registry."""
    if labels_path is not None:
        return ChosenRules(read_label_rules(labels_path), f"labels from {labels_path}")
    champion = champion_run(model_name)
    if champion is None:
        return ChosenRules([], "no labels file and no champion: topics keep their top words")
    version, run_id = champion
    kept = run_id is not None and any(
        item.path == LABELS_FILE for item in MlflowClient().list_artifacts(run_id)
    )
    if run_id is None or not kept:
        return ChosenRules(
            [],
            f"champion version {version} has no label rules: topics keep their top words "
            "(pass --labels FILE, or put the file at $RADAR_HOME/topic_labels.csv)",
        )
    with tempfile.TemporaryDirectory() as scratch:
        local = MlflowClient().download_artifacts(run_id, LABELS_FILE, scratch)
        rules = read_label_rules(Path(local))
    return ChosenRules(rules, f"labels of champion version {version}")


def log_label_rules(rules: LabelRules) -> None:
    """Keep `rules` with the active run as its `topic_labels.csv` artifact."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / LABELS_FILE
        write_label_rules(rules, path)
        mlflow.log_artifact(str(path))
