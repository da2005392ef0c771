"""The right model, always: every file is checked against the digests recorded at
training, cached copies and derived data are keyed by the model's identity (not its
version number), and a RADAR_HOME stays whole when copied or moved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from radar.digests import DIGESTS_TAG
from radar.errors import ModelIntegrityError
from radar.ingest import ingest_directory
from radar.mlflow_home import relocate_artifacts
from radar.service.registry import LoadedModel, load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store
from training.run import run_training
from training.tracking import use_tracking


def _home(trained_home: Path, tmp_path: Path, name: str = "home") -> Settings:
    home = tmp_path / name
    shutil.copytree(trained_home, home)
    settings = Settings(home=home)
    shutil.rmtree(settings.model_cache_dir, ignore_errors=True)  # another test's cached copy
    return settings


def _champion(settings: Settings, tracking_uri: str | None = None) -> LoadedModel:
    return load_champion(
        tracking_uri or settings.resolved_mlflow_tracking_uri,
        settings.model_name,
        settings.model_cache_dir,
    )


def _cached(settings: Settings) -> list[str]:
    """The model folders in the cache (no scratch folders)."""
    folder = settings.model_cache_dir / settings.model_name
    return (
        sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        if (folder.is_dir())
        else []
    )


def _registry_file(settings: Settings, name: str) -> Path:
    """The registry's own copy of one file of the champion (the home has one version)."""
    [path] = (settings.home / "mlartifacts").rglob(f"artifacts/radar_model/{name}")
    return path


def test_a_version_without_recorded_digests_is_refused(trained_home: Path, tmp_path: Path) -> None:
    settings = _home(trained_home, tmp_path)
    client = MlflowClient(
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        registry_uri=settings.resolved_mlflow_tracking_uri,
    )
    run_id = client.get_model_version(settings.model_name, "1").run_id
    client.delete_tag(run_id, DIGESTS_TAG)
    with pytest.raises(ModelIntegrityError, match=r"no recorded file digests.*radar train"):
        _champion(settings)
    assert _cached(settings) == []


@pytest.mark.parametrize("damage", ["changed", "missing", "extra"])
def test_a_damaged_registry_copy_is_refused_and_its_repair_loads(
    trained_home: Path, tmp_path: Path, damage: str
) -> None:
    settings = _home(trained_home, tmp_path)
    target = _registry_file(settings, "matching.json")
    original = target.read_bytes()
    if damage == "changed":
        target.write_bytes(original.replace(b'"product_shrinkage": ', b'"product_shrinkage": 1'))
    elif damage == "missing":
        target.unlink()
    else:
        (target.parent / "extra.npy").write_bytes(b"\x93NUMPY")
    with pytest.raises(ModelIntegrityError, match=r"matching\.json|extra\.npy") as refused:
        _champion(settings)
    assert str(settings.home) not in str(refused.value)  # no file paths in the message
    assert _cached(settings) == []  # nothing damaged is cached

    target.write_bytes(original)  # the registry's copy repaired
    (target.parent / "extra.npy").unlink(missing_ok=True)
    loaded = _champion(settings)
    assert json.loads(original)["product_shrinkage"] == loaded.model.product_shrinkage
    assert _cached(settings) == [loaded.model.identity]


def test_a_damaged_cached_copy_is_fetched_again(trained_home: Path, tmp_path: Path) -> None:
    settings = _home(trained_home, tmp_path)
    first = _champion(settings)
    cached = settings.model_cache_dir / settings.model_name / str(first.model.identity)
    (cached / "matching.json").write_text("{}", encoding="utf-8")
    again = _champion(settings)
    assert again.model.identity == first.model.identity
    assert again.model.product_shrinkage == first.model.product_shrinkage


def test_two_registries_with_a_version_1_never_share_a_model(
    trained_home: Path, tmp_path: Path
) -> None:
    """One RADAR_HOME (store and cache), two registries: each one's version 1 is its own."""
    settings = _home(trained_home, tmp_path)
    engine = open_store(settings.resolved_database_url)
    first = _champion(settings)
    first_service = RadarService(engine, first.model, model_version=first.version)
    assert first_service.profile("h0002").combined.shape == (12,)  # stored in host_profiles

    other_registry = f"sqlite:///{tmp_path / 'other' / 'mlflow.db'}"
    (tmp_path / "other").mkdir()
    run_training(
        engine,
        tracking_uri=other_registry,
        model_name=settings.model_name,
        num_topics=6,
        min_fit=settings.min_fit,
    )
    other = _champion(settings, other_registry)
    assert other.version == "1" and other.model.topics.num_topics == 6
    service = RadarService(engine, other.model, model_version=other.version)
    assert service.profile("h0002").combined.shape == (6,)
    assert service.recommend("h0002", min_fit=0.0).items
    assert service.recommender.catalogue.matrix.shape[1] == 6

    back = _champion(settings)  # the first registry's version 1 is untouched
    assert back.model.topics.num_topics == 12
    again = RadarService(engine, back.model, model_version=back.version)
    assert again.profile("h0002").combined.shape == (12,)
    assert again.recommender.catalogue.matrix.shape[1] == 12


def test_a_copied_home_works_without_the_original(small_demo_data: Path, tmp_path: Path) -> None:
    original = Settings(home=tmp_path / "original")
    engine = open_store(original.resolved_database_url)
    ingest_directory(
        small_demo_data,
        engine,
        quarantine_root=original.home / "quarantine",
        max_text_chars=original.max_text_chars(),
    )
    engine.dispose()
    _train(original, num_topics=6)
    moved = _home(original.home, tmp_path, "moved")
    (tmp_path / "original").rename(tmp_path / "gone")
    before = {p.relative_to(tmp_path / "gone") for p in (tmp_path / "gone").rglob("*")}

    assert _champion(moved).model.topics.num_topics == 6
    _train(moved, num_topics=8)
    shutil.rmtree(moved.model_cache_dir)
    assert _champion(moved).model.topics.num_topics == 8
    after = {p.relative_to(tmp_path / "gone") for p in (tmp_path / "gone").rglob("*")}
    assert after == before  # nothing written into the original


def _train(settings: Settings, num_topics: int) -> None:
    run_training(
        open_store(settings.resolved_database_url),
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        num_topics=num_topics,
        min_fit=settings.min_fit,
        promote="always",
    )


def test_a_database_moved_alone_keeps_pointing_at_its_artifacts(tmp_path: Path) -> None:
    """Only a home's own `mlartifacts/` replaces the recorded one: a database copied
    without it keeps reading the original artifacts."""
    (tmp_path / "first").mkdir()
    use_tracking(f"sqlite:///{tmp_path / 'first' / 'mlflow.db'}", "selection-radar")
    with mlflow.start_run():
        mlflow.log_text("kept", "note.txt")
    (tmp_path / "second").mkdir()
    shutil.copy(tmp_path / "first" / "mlflow.db", tmp_path / "second" / "mlflow.db")
    second = f"sqlite:///{tmp_path / 'second' / 'mlflow.db'}"

    def location() -> str:
        relocate_artifacts(second)
        experiment = MlflowClient(tracking_uri=second, registry_uri=second).get_experiment_by_name(
            "selection-radar"
        )
        assert experiment is not None
        return str(experiment.artifact_location)

    assert location() == (tmp_path / "first" / "mlartifacts").as_uri()
    shutil.copytree(tmp_path / "first" / "mlartifacts", tmp_path / "second" / "mlartifacts")
    assert location() == (tmp_path / "second" / "mlartifacts").as_uri()
    client = MlflowClient(tracking_uri=second, registry_uri=second)
    [run] = client.search_runs([client.get_experiment_by_name("selection-radar").experiment_id])
    assert run.info.artifact_uri.startswith((tmp_path / "second" / "mlartifacts").as_uri() + "/")
