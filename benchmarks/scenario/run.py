"""Build the real-data scenario (`benchmarks.scenario.build`), train the radar on it, run
the weekly batch, and measure the goals from the batch file users receive."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from radar.ingest import ingest_directory
from radar.matching.model import RadarModel
from radar.service.registry import LoadedModel
from radar.store import open_store
from radar.store.documents import load_documents
from radar.store.matching_data import MatchingData, load_matching_data
from radar.topics import TopicModel
from serving.batch import run_batch
from training.offline import TfidfReference
from training.run import build_radar_model

from .build import Scenario, build_scenario
from .figures import (
    Lists,
    evidence_ceiling,
    read_batch_lists,
    scenario_figures,
)

TEXT_LIMITS = {"comments": 5_000, "transcripts": 1_000_000, "products": 20_000}
WEEK = "2025-W36"
LIST_LENGTH = 50
"""As `radar batch --top-k 50 --min-fit 0`: every host's 50 best products, whatever the fit."""


@dataclass
class ScenarioRun:
    """One build seed's scenario, the model trained on it, the batch file it wrote, and
    the figures read from that file."""

    build_seed: int
    scenario: Scenario
    model: RadarModel
    data: MatchingData
    batch_file: Path
    figures: dict[str, float]


def run_scenario(
    data_dir: Path,
    work_dir: Path,
    *,
    build_seed: int,
    num_topics: int = 40,
    train_seed: int = 0,
    min_fit: float = 0.8,
    build: Mapping[str, float] | None = None,
) -> ScenarioRun:
    """Build the scenario of `build_seed` in `work_dir`, ingest it, train, write the week's
    lists with `run_batch` (top 50, no threshold), and compute the figures from its CSV.
    `build`: other values for `build_scenario`'s parameters (another construction)."""
    started = time.perf_counter()
    scenario = build_scenario(data_dir, work_dir / "data", seed=build_seed, **dict(build or {}))
    engine = open_store(f"sqlite:///{work_dir / 'radar.db'}")
    ingest_directory(
        work_dir / "data",
        engine,
        quarantine_root=work_dir / "quarantine",
        max_text_chars=TEXT_LIMITS,
    )
    documents = load_documents(engine)
    topics = TopicModel(num_topics=num_topics, random_state=train_seed).fit(
        [doc.text for doc in documents]
    )
    model, _ = build_radar_model(engine, topics, documents, min_fit=min_fit)
    trained = time.perf_counter()
    summary = run_batch(
        engine,
        LoadedModel(model, "scenario", "1", None),
        week=WEEK,
        out_dir=work_dir / "batch",
        top_k=LIST_LENGTH,
        min_fit=0.0,
    )
    batch_file = next(path for path in summary.files if path.suffix == ".csv")
    data = load_matching_data(engine, model, documents=documents)
    figures = measure(read_batch_lists(batch_file), scenario, model, data, seed=build_seed)
    figures |= {
        "documents": len(documents),
        "train_seconds": trained - started,
        "seconds": time.perf_counter() - started,
    }
    return ScenarioRun(build_seed, scenario, model, data, batch_file, figures)


def measure(
    lists: Lists,
    scenario: Scenario,
    model: RadarModel,
    data: MatchingData,
    *,
    seed: int,
    min_fit: float = 0.8,
) -> dict[str, float]:
    """The goals' figures of these lists, beside the TF-IDF cosine reference of the same
    data and the highest conversion rate its placements show."""
    tfidf = TfidfReference(model, data.catalogue, data.host_documents)
    product_ids = [product.product_id for product in data.catalogue.products]
    rows = list(range(len(product_ids)))
    reference = {
        host: _top(tfidf.scores(host, rows), product_ids)
        for host in scenario.host_categories
        if host not in scenario.warm_hosts  # new hosts: nothing placed to leave out
    }
    return scenario_figures(
        lists,
        scenario,
        reference=reference,
        ceiling=evidence_ceiling(data.outcomes, scenario.product_categories),
        seed=seed,
        min_fit=min_fit,
    )


def _top(scores: object, product_ids: list[str], k: int = 10) -> list[str]:
    values = list(scores)  # type: ignore[call-overload]
    order = sorted(range(len(values)), key=lambda row: (-values[row], product_ids[row]))
    return [product_ids[row] for row in order[:k]]
