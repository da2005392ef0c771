"""The promotion gate against the real registry: every metric it compares is logged on the
training run, and a challenger whose ranking and calibration are broken is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlflow import MlflowClient
from sqlalchemy import Engine, text

from radar.store import open_store
from radar.store.reads import load_outcomes
from tests.homes import NUM_TOPICS, TrainedHome
from tests.integration.radar_train import radar_train
from training.gate import GATES

EVALUATION_METRICS = (
    "precision_at_5",
    "ndcg_at_5",
    "ece",
    "ece_new_hosts",
    "hosts_served_share",
    "precision_at_min_fit",
)


def test_every_evaluation_metric_is_logged_on_the_run(trained_home: Path) -> None:
    settings = TrainedHome(trained_home).settings()
    uri = settings.resolved_mlflow_tracking_uri  # the registry too: this process
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # has set another before
    champion = client.get_model_version_by_alias(settings.model_name, "champion")
    logged = client.get_run(champion.run_id).data.metrics
    missing = [metric for metric in EVALUATION_METRICS if metric not in logged]
    assert not missing, f"not logged on the run: {missing}"
    ungated = {gate.metric for gate in GATES} - set(logged)
    assert not ungated, f"the gate compares metrics the run does not log: {ungated}"


def test_a_challenger_with_broken_ranking_and_calibration_is_refused(
    trained_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    settings = TrainedHome(home).settings()
    engine = open_store(settings.resolved_database_url)
    assert invert_outcomes_before_the_holdout(engine) > 0
    engine.dispose()

    done = radar_train(home, "--num-topics", str(NUM_TOPICS), "--promote", "auto")

    assert done.returncode == 0, done.stdout + done.stderr
    uri = settings.resolved_mlflow_tracking_uri  # the registry too: this process
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # has set another before
    champion = client.get_model_version_by_alias(settings.model_name, "champion")
    challenger = client.get_model_version_by_alias(settings.model_name, "challenger")
    assert (str(champion.version), str(challenger.version)) == ("1", "2")
    run = client.get_run(challenger.run_id)
    before = client.get_run(champion.run_id).data.metrics
    assert run.data.metrics["ece"] > before["ece"] + 0.1  # the challenger is truly broken
    assert run.data.tags["promoted"] == "False"
    reason = run.data.tags["promotion_reason"]
    assert "ece" in reason and "ndcg_at_5" in reason, reason


def invert_outcomes_before_the_holdout(engine: Engine) -> int:
    """Flip `converted` of the placements the pair model learns from (those before the
    evaluation's time cut, the last fifth), keeping the held-out ones true: a corrupted
    outcomes export. Returns how many placements were flipped."""
    ordered = sorted(
        load_outcomes(engine), key=lambda o: (o.started_at, o.streamer_id, o.product_id)
    )
    cut_at = ordered[int(len(ordered) * 0.8)].started_at
    with engine.begin() as connection:
        flipped = connection.execute(
            text("UPDATE placements SET converted = 1 - converted WHERE started_at < :cut"),
            {"cut": cut_at},
        )
    return int(flipped.rowcount)
