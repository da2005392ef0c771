"""One fit path: the fits evaluation scores with (`Recommender.shown_fits`, used by
`evaluate_model` and the scenario) are the ones the batch file shows, pair for pair."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from benchmarks.scenario.figures import read_batch_lists
from radar.matching.history import Outcome
from radar.matching.recommender import Recommender
from radar.service.registry import load_champion
from radar.settings import Settings
from radar.store import open_store
from radar.store.matching_data import load_matching_data
from serving.batch import run_batch


def test_evaluation_fits_are_the_batch_files(trained_home: Path, tmp_path: Path) -> None:
    settings = Settings(home=trained_home)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    engine = open_store(settings.resolved_database_url)
    summary = run_batch(engine, loaded, week="2026-W48", out_dir=tmp_path, top_k=50, min_fit=0.0)
    for batch_file in summary.files[:2]:  # the CSV and the Parquet file
        lists = read_batch_lists(batch_file)
        assert sum(len(items) for items in lists.values()) == summary.rows > 0

        model = loaded.model
        data = load_matching_data(engine, model)
        history: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in sorted(data.outcomes, key=lambda o: (o.started_at, o.product_id)):
            history[outcome.streamer_id].append(outcome)
        recommender = Recommender(model, data.catalogue)
        index = data.catalogue.index
        for host, items in lists.items():
            fits = recommender.shown_fits(data.profiles[host], history[host])
            assert [float(fits[index[pid]]) for pid, _ in items] == [f for _, f in items], host
