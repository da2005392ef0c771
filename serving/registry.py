"""Loading the champion radar model from the MLflow model registry.

Each version is downloaded once into a cache folder (to a temporary name, then renamed),
so a half-downloaded model is never loaded. MLflow and the model's code are imported
where they are used: MLflow alone takes two seconds, and the batch asks the registry
from a process forked before anything heavy is imported.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from radar.errors import NoModelError

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

    from radar.model import RadarModel

CHAMPION = "champion"
ARTIFACT_DIR = "radar_model"


@dataclass(frozen=True)
class LoadedModel:
    """A radar model and where it came from in the registry."""

    model: RadarModel
    name: str
    version: str
    run_id: str | None


def champion_version(tracking_uri: str, model_name: str) -> str:
    """The version the champion alias points at.

    Raises:
        NoModelError: no registered model or no champion yet.
    """
    return str(_champion(tracking_uri, model_name).version)


@dataclass(frozen=True)
class ModelFiles:
    """A registered version's files in the local cache: what MLflow is needed for."""

    name: str
    version: str
    run_id: str | None
    directory: Path

    def load(self) -> LoadedModel:
        """The model these files hold."""
        from radar.model import RadarModel

        return LoadedModel(RadarModel.load(self.directory), self.name, self.version, self.run_id)


def fetch_version(tracking_uri: str, model_name: str, version: str, cache: Path) -> ModelFiles:
    """One registered version's files (downloaded into `cache` the first time)."""
    info = _client(tracking_uri).get_model_version(model_name, version)
    return _files(tracking_uri, info, cache)


def fetch_champion(tracking_uri: str, model_name: str, cache: Path) -> ModelFiles:
    """The current champion's files (one registry call: the alias gives the version)."""
    return _files(tracking_uri, _champion(tracking_uri, model_name), cache)


def load_version(tracking_uri: str, model_name: str, version: str, cache: Path) -> LoadedModel:
    """Load one registered version (downloading it into `cache` the first time)."""
    return fetch_version(tracking_uri, model_name, version, cache).load()


def load_champion(tracking_uri: str, model_name: str, cache: Path) -> LoadedModel:
    """Load the current champion."""
    return fetch_champion(tracking_uri, model_name, cache).load()


def _client(tracking_uri: str) -> MlflowClient:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def _champion(tracking_uri: str, model_name: str) -> ModelVersion:
    """The registry's record of the champion version (NoModelError when there is none)."""
    from mlflow.exceptions import MlflowException

    try:
        return _client(tracking_uri).get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        raise NoModelError(
            f"no {model_name}@{CHAMPION} in the registry at {tracking_uri} yet: train one "
            "with `radar train` (or run `radar demo`)"
        ) from None


def _files(tracking_uri: str, info: ModelVersion, cache: Path) -> ModelFiles:
    """A version's files in `cache`, downloaded the first time."""
    target = cache / info.name / str(info.version)
    if not (target / "matching.json").is_file():
        _download(tracking_uri, f"models:/{info.name}/{info.version}", target)
    return ModelFiles(info.name, str(info.version), info.run_id, target)


def _download(tracking_uri: str, model_uri: str, target: Path) -> None:
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=str(scratch)))
        source = local / "artifacts" / ARTIFACT_DIR
        if target.exists():
            shutil.rmtree(target)
        source.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
