"""Train and evaluate the radar on the real-data scenario (`radar.evaluation.scenario`)."""

from __future__ import annotations

import time
from pathlib import Path

from radar.corpus import load_documents
from radar.evaluation.scenario import Scenario, build_scenario, evaluate_scenario
from radar.ingest import ingest_directory
from radar.matching.data import load_matching_data
from radar.store import open_store
from radar.topics import TopicModel
from training.run import build_radar_model

TEXT_LIMITS = {"comments": 5_000, "transcripts": 1_000_000, "products": 20_000}


def run_scenario(
    data_dir: Path,
    work_dir: Path,
    *,
    num_topics: int = 40,
    seed: int = 0,
    min_fit: float = 0.8,
) -> tuple[Scenario, dict[str, float]]:
    """Build the scenario in `work_dir`, ingest it, train, and return its figures."""
    scenario = build_scenario(data_dir, work_dir / "data")
    engine = open_store(f"sqlite:///{work_dir / 'radar.db'}")
    ingest_directory(
        work_dir / "data",
        engine,
        quarantine_root=work_dir / "quarantine",
        max_text_chars=TEXT_LIMITS,
    )
    documents = load_documents(engine)
    started = time.perf_counter()
    topics = TopicModel(num_topics=num_topics, random_state=seed).fit(
        [doc.text for doc in documents]
    )
    model, _ = build_radar_model(engine, topics, documents, min_fit=min_fit)
    seconds = time.perf_counter() - started
    data = load_matching_data(
        engine,
        topics,
        settings=model.profiles,
        shrinkage=model.product_shrinkage,
        categories=model.categories,
        documents=documents,
    )
    figures = evaluate_scenario(model, data, scenario, min_fit=min_fit, seed=seed)
    return scenario, {**figures, "train_seconds": seconds, "documents": len(documents)}
