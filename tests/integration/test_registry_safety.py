"""Nothing from the registry runs as code: a version whose artifacts hold a pickle with a
side effect is refused by `radar recommend`, `radar batch` and the server, the side
effect never happens, and the server keeps serving the version it had."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import mlflow
import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from radar.service.registry import fetch_champion
from radar.settings import Settings
from serving.app import create_app
from training.tracking import MODEL_CODE, use_tracking

RADAR = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "radar"
DIGESTS_TAG = "radar.model_digests"


class _Payload:
    """Unpickling this creates the folder `marker`: the proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def register_crafted_version(settings: Settings, marker: Path, scratch: Path) -> str:
    """Register (not promote) a copy of the champion whose topic model says schema 1 and
    holds an `lda` pickle with a side effect, digests recorded as training records them
    (an attacker who can write the registry, or a model saved the old way); its version."""
    champion = fetch_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    folder = scratch / "radar_model"
    shutil.copytree(champion.directory, folder)
    manifest_path = folder / "topic_model" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_version"] = 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "topic_model" / "lda").write_bytes(pickle.dumps(_Payload(marker)))
    use_tracking(settings.resolved_mlflow_tracking_uri, "selection-radar")
    with mlflow.start_run(run_name="crafted"):
        info = mlflow.pyfunc.log_model(
            name="model", python_model=str(MODEL_CODE), artifacts={"radar_model": str(folder)}
        )
        mlflow.set_tag(DIGESTS_TAG, json.dumps(_digests(folder)))
    version = mlflow.register_model(info.model_uri, settings.model_name)
    return str(version.version)


def radar(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADAR_HOME": str(home), "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.run([str(RADAR), *args], env=env, capture_output=True, text=True)


@pytest.mark.skipif(not RADAR.is_file(), reason="the radar console script is not installed")
def test_a_pickle_in_the_registry_never_runs(
    trained_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    settings = Settings(home=home)
    marker = tmp_path / "payload-ran"
    crafted = register_crafted_version(settings, marker, tmp_path)
    client = MlflowClient(
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        registry_uri=settings.resolved_mlflow_tracking_uri,
    )

    with TestClient(create_app(settings, insecure_dev=True)) as api:
        holder = api.app.state.holder  # type: ignore[attr-defined]
        assert holder.current.loaded.version == "1"
        client.set_registered_model_alias(settings.model_name, "champion", crafted)
        assert holder.refresh() is False
        assert not marker.exists(), "the server ran the pickle's code"
        assert holder.current.loaded.version == "1"  # the old version keeps serving
        assert holder.problem == "model_load_failed"
        assert "can run code" in caplog.text and "radar train" in caplog.text  # the log says why
        assert holder.refresh() is False  # tried again at the next poll, refused again,
        warnings = [r for r in caplog.records if r.levelname == "WARNING" and "can run" in r.msg]
        assert len(warnings) == 1  # and not logged again at every poll
        assert not marker.exists()
        health = api.get("/health").json()
        assert health["status"] == "degraded" and health["model_version"] == "1"
        assert health["reason"] == "model_load_failed"

    for command in (("recommend", "h0002"), ("batch", "--week", "2026-W48")):
        result = radar(home, *command)
        output = result.stdout + result.stderr
        assert not marker.exists(), f"radar {command[0]} ran the pickle's code"
        assert result.returncode != 0, output
        assert "can run code" in output and "radar train" in output, output
        assert "Traceback" not in output
