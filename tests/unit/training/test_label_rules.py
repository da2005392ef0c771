"""Which label rules a training applies: the given file, else the champion's kept rules
(a real MLflow tracking store and registry in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from radar.topics.labels import home_labels_file, read_label_rules, write_label_rules
from training.label_rules import choose_label_rules, log_label_rules
from training.tracking import CHAMPION, use_tracking

MODEL = "labels-test"
RULES = [("彩妆", frozenset({"粉底液", "持妆"})), ("母婴", frozenset({"婴儿", "宝妈", "妈妈"}))]


@pytest.fixture
def registry(tmp_path: Path) -> MlflowClient:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    use_tracking(uri, "labels")
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def champion_run(client: MlflowClient, *, with_rules: bool) -> None:
    """A run (with or without kept rules) registered as the champion."""
    with mlflow.start_run() as run:
        if with_rules:
            log_label_rules(RULES)
    if not client.search_registered_models(f"name='{MODEL}'"):
        client.create_registered_model(MODEL)
    version = client.create_model_version(MODEL, run.info.artifact_uri, run_id=run.info.run_id)
    client.set_registered_model_alias(MODEL, CHAMPION, version.version)


def test_a_labels_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "topic_labels.csv"
    assert home_labels_file(tmp_path) is None
    write_label_rules(RULES, path)
    assert read_label_rules(path) == RULES
    assert home_labels_file(tmp_path) == path


def test_without_a_champion_topics_keep_their_top_words(registry: MlflowClient) -> None:
    chosen = choose_label_rules(None, MODEL)
    assert chosen.rules == [] and "top words" in chosen.source


def test_the_champions_kept_rules_are_reused(registry: MlflowClient) -> None:
    champion_run(registry, with_rules=True)
    chosen = choose_label_rules(None, MODEL)
    assert chosen.rules == RULES and chosen.source == "labels of champion version 1"


def test_a_champion_without_rules_says_how_to_label(registry: MlflowClient) -> None:
    champion_run(registry, with_rules=False)
    chosen = choose_label_rules(None, MODEL)
    assert chosen.rules == [] and "--labels FILE" in chosen.source


def test_a_given_file_wins_over_the_champion(registry: MlflowClient, tmp_path: Path) -> None:
    champion_run(registry, with_rules=True)
    path = tmp_path / "mine.csv"
    path.write_text("label,keywords\n宝宝用品,婴儿 宝妈\n", encoding="utf-8")
    chosen = choose_label_rules(path, MODEL)
    assert chosen.rules == [("宝宝用品", frozenset({"婴儿", "宝妈"}))]
    assert str(path) in chosen.source
