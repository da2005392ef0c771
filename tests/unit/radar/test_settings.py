import subprocess
import sys
from pathlib import Path

import pytest

from radar.settings import Settings


def test_defaults_live_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_HOME", str(tmp_path / "home"))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'home' / 'radar.db'}"
    assert settings.resolved_mlflow_tracking_uri == f"sqlite:///{tmp_path / 'home' / 'mlflow.db'}"
    assert settings.model_name == "selection-radar"
    assert settings.experiment_name == "selection-radar"
    assert settings.min_fit == 0.8
    assert settings.quarantine_dir == tmp_path / "home" / "quarantine"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_DATABASE_URL", "postgresql://radar@db/radar")
    monkeypatch.setenv("RADAR_MIN_FIT", "0.7")
    monkeypatch.setenv("RADAR_MODEL_NAME", "other")
    monkeypatch.setenv("RADAR_EXPERIMENT_NAME", "nightly")
    settings = Settings()
    assert settings.resolved_database_url == "postgresql://radar@db/radar"
    assert settings.min_fit == 0.7
    assert settings.model_name == "other"
    assert settings.experiment_name == "nightly"


def test_min_fit_is_a_probability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_MIN_FIT", "1.5")
    with pytest.raises(ValueError, match="min_fit"):
        Settings()


def test_nothing_happens_at_import(tmp_path: Path) -> None:
    code = "import cli.main, radar.ingest, radar.store, features.pipeline, features.danmaku"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    assert list(tmp_path.iterdir()) == []
