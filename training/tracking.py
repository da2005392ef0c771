"""Thin MLflow steps: log a trained topic model, register it, move aliases.

MLflow is configured here, from explicit arguments, never at import time.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

from radar.digests import DIGESTS_TAG, file_digests
from radar.errors import NoModelError, UnknownVersionError
from radar.matching.model import RadarModel
from radar.mlflow_home import artifact_location, relocate_artifacts
from radar.service.registry_probe import no_versions
from radar.topics.quality import TopicQuality
from training.params import training_params
from training.pyfunc import ARTIFACT_KEY, topic_frame
from training.report import (
    topic_table,
    write_reliability_diagram,
    write_topic_csv,
    write_topic_report,
)

CHALLENGER, CHAMPION = "challenger", "champion"
DATA_UNTIL_TAG = "radar.data_until"
"""Run tag: the latest placement, transcript or comment in the store when it trained."""
MODEL_CODE = Path(__file__).with_name("mlflow_model.py")  # models-from-code: nothing pickled
_REQUIREMENTS = ("selection-radar", "gensim", "numpy", "scipy", "rjieba", "jieba", "opencc")


@dataclass(frozen=True)
class LoggedVersion:
    """A logged and registered model version."""

    run_id: str
    version: str
    model_uri: str


def use_tracking(tracking_uri: str, experiment: str) -> None:
    """Point MLflow tracking and registry at `tracking_uri`, and select `experiment`
    (creating it, for a SQLite store, with its artifacts in `mlartifacts/` beside the
    database: MLflow's default is `./mlruns` under whatever folder the process runs in;
    and pointing a moved home's artifact locations at its own `mlartifacts/`)."""
    relocate_artifacts(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    artifacts = artifact_location(tracking_uri)
    if artifacts is not None and mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=artifacts)
    mlflow.set_experiment(experiment)


def log_candidate(num_topics: int, quality: TopicQuality, training_seconds: float) -> None:
    """A nested run for one candidate of a topic-count sweep."""
    with mlflow.start_run(run_name=f"K={num_topics}", nested=True):
        mlflow.log_param("num_topics", num_topics)
        mlflow.log_metrics({**quality.as_metrics(), "training_seconds": training_seconds})


def log_radar_model(
    radar_model: RadarModel,
    *,
    pair_params: Mapping[str, object],
    quality: TopicQuality,
    prevalence: np.ndarray,
    corpus: Mapping[str, int],
    sample_texts: list[str],
    reliability: list[tuple[float, float, float, int]],
) -> str:
    """Log params (every part's: `training.params`, the pair model trained with
    `pair_params`), metrics (the topic model's, and every figure of the radar model's
    evaluation: what the promotion gate compares), the topic table, the topic map, the
    reliability diagram and the pyfunc model to the active run, and tag the run with the
    SHA-256 of every file of the saved radar model (what loading verifies); returns the
    model URI."""
    model = radar_model.topics
    mlflow.log_params(training_params(radar_model, pair_params))
    mlflow.log_metrics(
        {
            **quality.as_metrics(),
            "training_seconds": model.training_seconds_,
            "vocabulary_size": len(model.dictionary_),
            "training_documents": model.n_documents_,
            "training_tokens": model.n_tokens_,
            **{f"corpus_{key}": value for key, value in corpus.items()},
            **radar_model.evaluation,
        }
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_topic_csv(topic_table(model, prevalence), folder / "topics.csv")
        write_topic_report(
            model,
            prevalence,
            folder / "topic_map.html",
            title=f"选品雷达 topics (K={model.num_topics})",
        )
        (folder / "manifest.json").write_text(
            json.dumps(model.manifest(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        write_reliability_diagram(
            reliability, folder / "reliability.png", title="fit on held-out placements"
        )
        for name in ("topics.csv", "topic_map.html", "manifest.json", "reliability.png"):
            mlflow.log_artifact(str(folder / name))
        radar_model.save(folder / ARTIFACT_KEY)
        mlflow.set_tag(DIGESTS_TAG, json.dumps(file_digests(folder / ARTIFACT_KEY)))
        example = pd.DataFrame({"text": sample_texts[:3]})
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(MODEL_CODE),
            artifacts={ARTIFACT_KEY: str(folder / ARTIFACT_KEY)},
            signature=infer_signature(example, topic_frame(model, sample_texts[:3])),
            input_example=example,
            pip_requirements=_pinned_requirements(),
        )
    return str(info.model_uri)


def register_version(model_uri: str, run_id: str, model_name: str) -> LoggedVersion:
    """Register the logged model as a new version of `model_name` with alias challenger."""
    version = mlflow.register_model(model_uri, model_name, tags={"run_id": run_id})
    MlflowClient().set_registered_model_alias(model_name, CHALLENGER, version.version)
    return LoggedVersion(run_id, str(version.version), model_uri)


def champion_run(model_name: str) -> tuple[str, str | None] | None:
    """The current champion's version and the id of the run behind it (None when the
    version names no run), or None without a champion."""
    try:
        version = MlflowClient().get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        return None
    return str(version.version), version.run_id or (version.tags or {}).get("run_id")


def champion_metrics(model_name: str) -> dict[str, float] | None:
    """The metrics of the run behind the current champion, or None without a champion."""
    champion = champion_run(model_name)
    if champion is None:
        return None
    return run_metrics(champion[1]) if champion[1] else {}


def champion_data_until(model_name: str) -> datetime | None:
    """The end of the data the champion trained on (None: no champion, or one trained
    before runs recorded it)."""
    champion = champion_run(model_name)
    if champion is None or champion[1] is None:
        return None
    value = MlflowClient().get_run(champion[1]).data.tags.get(DATA_UNTIL_TAG)
    return datetime.fromisoformat(value) if value else None


def run_metrics(run_id: str) -> dict[str, float]:
    """Every metric logged on run `run_id` (its latest value)."""
    return dict(MlflowClient().get_run(run_id).data.metrics)


def set_champion(model_name: str, version: str) -> None:
    """Move the champion alias to `version` (promote, or roll back)."""
    client = MlflowClient()
    client.get_model_version(model_name, version)  # a clear error for an unknown version
    client.set_registered_model_alias(model_name, CHAMPION, version)


def promote_version(tracking_uri: str, experiment: str, model_name: str, version: str) -> None:
    """Make `version` the champion of `model_name` in the registry at `tracking_uri`.

    Raises:
        UnknownVersionError: the registry holds other versions of `model_name`, not this one.
        NoModelError: it holds none.
    """
    use_tracking(tracking_uri, experiment)
    try:
        set_champion(model_name, version)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        raise _missing_version(tracking_uri, model_name, version) from None


def _missing_version(
    tracking_uri: str, model_name: str, version: str
) -> NoModelError | UnknownVersionError:
    """The error for promoting a version the registry does not hold, naming those it does."""
    held = sorted(
        int(held.version) for held in MlflowClient().search_model_versions(f"name = '{model_name}'")
    )
    if not held:
        return no_versions(tracking_uri, model_name)
    return UnknownVersionError(
        f"no version {version} of {model_name} in the registry at {tracking_uri}: it holds "
        f"versions {', '.join(map(str, held))}; run `radar promote VERSION` with one of them"
    )


def _pinned_requirements() -> list[str]:
    pins = []
    for name in _REQUIREMENTS:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return pins
