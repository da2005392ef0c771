"""Loading the champion radar model from the MLflow model registry.

Each version is downloaded once into a cache folder named by the model's identity (the
digest of its files' digests, recorded on its training run), never by its version
number: two registries each have a version 1. Every file is checked against the recorded
digests before the copy is used: after the download (to a temporary name, renamed only
when it verifies, so a failed or damaged download leaves nothing cached) and whenever a
cached copy is reused (a damaged one is fetched again). A version without recorded
digests is refused.

MLflow and the model's code are imported where they are used: MLflow alone takes two
seconds, and the batch asks the registry from a process forked before anything heavy is
imported.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from radar.digests import DIGESTS_TAG, model_identity, parse_recorded, verify_files
from radar.errors import ModelIntegrityError
from radar.mlflow_home import relocate_artifacts
from radar.service.registry_probe import CHAMPION, no_champion

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

    from radar.matching.model import RadarModel

ARTIFACT_DIR = "radar_model"
logger = logging.getLogger(__name__)


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
    """A registered version's verified files in the local cache (what MLflow is needed
    for), and the model's identity (`radar.digests.model_identity` of its files)."""

    name: str
    version: str
    run_id: str | None
    directory: Path
    identity: str

    def load(self) -> LoadedModel:
        """The model these files hold (its `identity` set)."""
        from radar.matching.model import RadarModel

        try:
            model = RadarModel.load(self.directory)
        except ModelIntegrityError as error:
            raise ModelIntegrityError(f"{self.name} version {self.version}: {error}") from None
        model.identity = self.identity
        return LoadedModel(model, self.name, self.version, self.run_id)


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
        raise no_champion(tracking_uri, model_name) from None


def _files(tracking_uri: str, info: ModelVersion, cache: Path) -> ModelFiles:
    """A version's verified files in `cache`, downloaded when no good copy is there.

    Raises:
        ModelIntegrityError: no digests recorded for the version, or its files differ.
    """
    what = f"{info.name} version {info.version}"
    run_id = info.run_id or (info.tags or {}).get("run_id")
    expected = parse_recorded(_run_tags(tracking_uri, run_id).get(DIGESTS_TAG), what)
    identity = model_identity(expected)
    target = cache / info.name / identity
    if target.is_dir():
        try:
            verify_files(target, expected, what)
        except ModelIntegrityError as error:
            logger.warning("cached copy dropped, fetching it again: %s", error)
            shutil.rmtree(target, ignore_errors=True)
    if not target.is_dir():
        _download(tracking_uri, f"models:/{info.name}/{info.version}", target, expected, what)
    return ModelFiles(info.name, str(info.version), run_id, target, identity)


def _run_tags(tracking_uri: str, run_id: str | None) -> dict[str, str]:
    """The tags of the version's training run (none when the run is gone)."""
    from mlflow.exceptions import MlflowException

    if not run_id:
        return {}
    try:
        return dict(_client(tracking_uri).get_run(run_id).data.tags)
    except MlflowException:
        return {}


def _download(
    tracking_uri: str, model_uri: str, target: Path, expected: dict[str, str], what: str
) -> None:
    """Download into a scratch folder beside `target`, verify, then rename it `target`."""
    import mlflow

    relocate_artifacts(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=str(scratch)))
        source = local / "artifacts" / ARTIFACT_DIR
        verify_files(source, expected, what)
        try:
            source.rename(target)
        except OSError:  # another process cached the same model first
            verify_files(target, expected, what)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
