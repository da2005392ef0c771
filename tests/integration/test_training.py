"""`radar train` against a real SQLite store and a real SQLite MLflow tracking store, and
with both on PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient

from features.documents import COMMENTS, PRODUCT, TRANSCRIPT
from radar.ingest import ingest_directory
from radar.matching.model import RadarModel
from radar.store import open_store
from radar.store.documents import load_documents
from radar.topics.labels import read_label_rules
from tests.homes import NUM_TOPICS, ON_POSTGRES_HOME, TrainedHome
from tests.integration.radar_train import radar_train
from training.pyfunc import ARTIFACT_KEY
from training.run import TrainingOutcome, run_training

MODEL = "radar-test"
PROBES = ["这款粉底液控油持妆吗", "羽绒服保暖吗，尺码偏大吗", "宝宝几个月可以吃这个米粉", ""]
LIMITS = {"comments": 2000, "transcripts": 200_000, "products": 20_000}
MIN_FIT = 0.8


@pytest.fixture(scope="module")
def trained(small_demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("training")
    engine = open_store(f"sqlite:///{folder / 'radar.db'}")
    ingest_directory(small_demo_data, engine, quarantine_root=folder / "q", max_text_chars=LIMITS)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    first = run_training(
        engine, tracking_uri=uri, model_name=MODEL, candidates=(6, 10), seed=1, min_fit=MIN_FIT
    )
    second = run_training(
        engine,
        tracking_uri=uri,
        model_name=MODEL,
        num_topics=8,
        promote="never",
        seed=1,
        min_fit=MIN_FIT,
    )
    return {"engine": engine, "uri": uri, "first": first, "second": second, "folder": folder}


def test_documents_are_built_from_every_source(trained: dict) -> None:
    documents = load_documents(trained["engine"])
    kinds = {doc.kind for doc in documents}
    assert kinds == {TRANSCRIPT, COMMENTS, PRODUCT}
    assert all(doc.text.strip() for doc in documents)
    transcripts = [doc for doc in documents if doc.kind == TRANSCRIPT]
    assert max(len(doc.text) for doc in transcripts) <= 400


def test_the_auto_sweep_is_logged_as_nested_runs(trained: dict) -> None:
    first: TrainingOutcome = trained["first"]
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    run = client.get_run(first.run_id)
    assert run.data.params["num_topics"] == str(first.num_topics)
    assert first.num_topics in (6, 10)
    for metric in (
        "coherence_cv",
        "coherence_npmi",
        "perplexity",
        "topic_diversity",
        "training_seconds",
        "training_documents",
        "vocabulary_size",
    ):
        assert metric in run.data.metrics, metric
    children = client.search_runs(
        [run.info.experiment_id], f"tags.mlflow.parentRunId = '{first.run_id}'"
    )
    assert sorted(int(child.data.params["num_topics"]) for child in children) == [6, 10]
    artifacts = {item.path for item in client.list_artifacts(first.run_id)}
    assert {"topics.csv", "topic_map.html", "manifest.json"} <= artifacts


def test_versions_and_aliases(trained: dict) -> None:
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    first, second = trained["first"], trained["second"]
    assert (first.version, second.version) == ("1", "2")
    assert first.decision.promote and not second.decision.promote
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "1"
    assert str(client.get_model_version_by_alias(MODEL, "challenger").version) == "2"


def test_champion_loads_by_alias_in_a_fresh_process(trained: dict) -> None:
    mlflow.set_tracking_uri(trained["uri"])
    local = mlflow.artifacts.download_artifacts(
        f"models:/{MODEL}@champion", dst_path=str(trained["folder"] / "download")
    )
    radar_model = RadarModel.load(Path(local) / "artifacts" / ARTIFACT_KEY)
    expected = radar_model.topics.transform(PROBES)
    code = (
        "import json, sys, mlflow, pandas as pd\n"
        f"mlflow.set_tracking_uri({trained['uri']!r})\n"
        f"model = mlflow.pyfunc.load_model('models:/{MODEL}@champion')\n"
        f"frame = model.predict(pd.DataFrame({{'text': {PROBES!r}}}))\n"
        "print(json.dumps(frame.values.tolist()))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "MLFLOW_TRACKING_URI"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    np.testing.assert_array_equal(np.array(json.loads(result.stdout.splitlines()[-1])), expected)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0)


def test_promote_moves_champion_and_rolls_back(trained: dict, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RADAR_HOME": str(tmp_path),
        "RADAR_MODEL_NAME": MODEL,
        "RADAR_MLFLOW_TRACKING_URI": trained["uri"],
    }
    command = [sys.executable, "-c", "from cli.main import main; main()", "promote"]
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    subprocess.run([*command, "2"], env=env, check=True, capture_output=True)
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "2"
    subprocess.run([*command, "1"], env=env, check=True, capture_output=True)
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "1"
    missing = subprocess.run([*command, "99"], env=env, capture_output=True, text=True)
    assert missing.returncode != 0


def test_every_training_parameter_is_logged(trained: dict) -> None:
    """The run records what every part was trained with, not only the topic model."""
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    params = client.get_run(trained["second"].run_id).data.params
    run = {"data_since", "min_fit", "seed", "held_out_documents", "label_rules"}
    topics = {
        *("num_topics", "trainer", "sweeps", "inference_alpha", "alpha", "eta", "no_below"),
        *("no_above", "keep_n", "random_state", "inference_max_iter", "inference_tol"),
        "pipeline",
    }
    profiles = {
        *("profiles.talk_weight", "profiles.fans_weight", "profiles.half_life_days"),
        "profiles.min_tokens",
    }
    matching = {"product_shrinkage", "peers.k"}
    pair = {"pair.holdout_fraction", "pair.correct_selection", "pair.random_state"}
    pair |= {"pair.C", "pair.max_iter"}  # the pair model's own (FitModel.get_params)
    pair |= {"pair.propensity_C", "pair.propensity_max_iter", "categories.C"}
    pair |= {"categories.max_iter", "peers.prior_rate", "peers.prior_weight"}
    pair |= {"peers.similarity_scale", "words.dimensions", "words.window", "words.min_count"}
    pair |= {"words.epochs"}
    assert set(params) == run | topics | profiles | matching | pair  # no VB-only params
    model: RadarModel = trained["second"].model
    assert (params["min_fit"], params["seed"], params["sweeps"]) == (str(MIN_FIT), "1", "150")
    assert params["profiles.half_life_days"] == str(model.profiles.half_life_days)
    assert model.peers is not None and params["peers.k"] == str(model.peers.k)
    assert params["label_rules"].startswith("champion version 1 has no label rules")
    assert (params["pair.C"], params["pair.max_iter"]) == ("100.0", "5000")


def test_an_unregistered_run_leaves_the_registry_alone(trained: dict) -> None:
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    before = len(client.search_model_versions(f"name='{MODEL}'"))
    outcome = run_training(
        trained["engine"],
        tracking_uri=trained["uri"],
        model_name=MODEL,
        num_topics=6,
        register=False,
        min_fit=MIN_FIT,
    )
    assert outcome.version is None and not outcome.decision.promote
    assert outcome.model.fit.calibrated
    assert len(client.search_model_versions(f"name='{MODEL}'")) == before
    assert client.get_run(outcome.run_id).data.params["num_topics"] == "6"


def test_artifacts_live_beside_the_tracking_database(trained: dict) -> None:
    client = MlflowClient(tracking_uri=trained["uri"], registry_uri=trained["uri"])
    run = client.get_run(trained["first"].run_id)
    expected = (trained["folder"] / "mlartifacts").resolve().as_uri()
    assert run.info.artifact_uri.startswith(expected)
    assert (trained["folder"] / "mlartifacts").is_dir()
    assert not (Path.cwd() / "mlruns").exists() or not any(
        (Path.cwd() / "mlruns").rglob(trained["first"].run_id)
    )


@ON_POSTGRES_HOME
def test_training_on_postgresql_registers_a_champion(
    postgres_trained_home: TrainedHome,
) -> None:
    settings = postgres_trained_home.settings()
    engine = open_store(settings.resolved_database_url)
    assert engine.dialect.name == "postgresql" and load_documents(engine)
    uri = settings.resolved_mlflow_tracking_uri  # both: a registry set earlier in the process
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # would win over the tracking URI
    champion = client.get_model_version_by_alias(settings.model_name, "champion")
    assert str(champion.version) == "1"
    run = client.get_run(champion.run_id)
    assert run.data.params["num_topics"] == "12"
    assert run.info.artifact_uri.startswith((postgres_trained_home.home / "mlartifacts").as_uri())


DEMO_LABELS = Path(__file__).resolve().parents[2] / "radar" / "demo" / "topic_labels.csv"


def test_labels_survive_retraining(own_home: Path) -> None:
    home = own_home  # its champion has no labels
    train = ("--num-topics", str(NUM_TOPICS))

    labelled = radar_train(home, *train, "--labels", str(DEMO_LABELS), "--promote", "always")
    retrained = radar_train(home, *train, "--promote", "never")
    (home / "topic_labels.csv").write_text("label,keywords\n宝宝用品,婴儿 宝妈 妈妈 儿童\n")
    from_home = radar_train(home, *train, "--promote", "never")

    for done in (labelled, retrained, from_home):
        assert done.returncode == 0, done.stdout + done.stderr
    human = {label for label, _ in read_label_rules(DEMO_LABELS)}
    first, second, third = (topic_labels(home, version) for version in ("2", "3", "4"))
    assert "母婴" in first and len(set(first) & human) >= 5
    assert second == first
    assert "宝宝用品" in third and not set(third) & human


def topic_labels(home: Path, version: str) -> list[str]:
    """The topic labels of a registered version, from its run's `topics.csv`."""
    settings = TrainedHome(home).settings()
    uri = settings.resolved_mlflow_tracking_uri  # the registry too: this process
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # has set another before
    run_id = client.get_model_version(settings.model_name, version).run_id
    local = client.download_artifacts(run_id, "topics.csv", str(home / f"topics-{version}"))
    with open(local, encoding="utf-8-sig", newline="") as handle:
        return [row["label"] for row in csv.DictReader(handle)]
