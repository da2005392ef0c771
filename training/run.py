"""`radar train`: documents from the store → topic model → MLflow run → registry."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
from sqlalchemy import Engine

from features.documents import Document, split_holdout
from radar.errors import RadarError
from radar.matching.calibration import fit_pair_model
from radar.matching.categories import attach_categories, fit_category_model
from radar.matching.model import RadarModel
from radar.matching.peers import build_peer_table
from radar.store.documents import load_documents
from radar.store.matching_data import load_matching_data
from radar.store.monitoring import latest_activity
from radar.topics import TopicModel
from radar.topics.labels import match_labels
from radar.topics.quality import TopicQuality
from radar.topics.word_vectors import WordVectors
from training.evaluate import champion_on_same_data
from training.gate import Decision, Policy, decide_promotion
from training.label_rules import choose_label_rules, log_label_rules
from training.offline import evaluate_model
from training.topics import DEFAULT_CANDIDATES, Candidate, evaluate_topic_model, sweep_num_topics
from training.topics import train_topic_model as fit_model
from training.tracking import (
    DATA_UNTIL_TAG,
    champion_metrics,
    log_candidate,
    log_radar_model,
    register_version,
    run_metrics,
    set_champion,
    use_tracking,
)

MIN_DOCUMENTS = 20
HELD_OUT_DOCUMENTS = 0.2
"""The share of documents kept out of topic training, for its held-out quality."""
PAIR_MODEL_PARAMS: dict[str, Any] = {
    "holdout_fraction": 0.2,
    "correct_selection": True,
    "random_state": 0,
}
"""How the pair model is fitted on past placements (`fit_pair_model`), logged with the run."""
logger = logging.getLogger(__name__)


@dataclass
class TrainingOutcome:
    """What `run_training` did (`version` is None when the model was not registered);
    `metrics` are those logged on its run, `champion_metrics` those of the champion's run
    before it (None without a champion), its gated ones measured again on this run's data
    (`champion_on_same_data`, logged as `champion.<metric>`): what the gate compares."""

    model: RadarModel
    run_id: str
    version: str | None
    num_topics: int
    quality: TopicQuality
    decision: Decision
    top_words: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    evaluation: dict[str, float] = field(default_factory=dict)
    sweep: dict[int, TopicQuality] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    champion_metrics: dict[str, float] | None = None


def run_training(
    engine: Engine,
    *,
    tracking_uri: str,
    model_name: str,
    experiment: str = "selection-radar",
    num_topics: int | None = None,
    candidates: Sequence[int] = DEFAULT_CANDIDATES,
    promote: Policy = "auto",
    labels_path: Path | None = None,
    params: dict[str, Any] | None = None,
    seed: int = 0,
    min_fit: float,
    since: datetime | None = None,
    register: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> TrainingOutcome:
    """Train from the store, log to MLflow, register as challenger, maybe promote.

    `num_topics=None` sweeps `candidates` (each a nested run) and keeps the best; `since`
    keeps only transcripts and comments from then on (the data window); `register=False`
    logs the run but registers (and so promotes) nothing. Topic labels follow the rules of
    `labels_path`, or without one the champion's (`training.label_rules`); the rules
    applied are kept with the run. `min_fit` is the fit threshold the evaluation's hosts
    served and converting share use (the settings' `min_fit`). Every parameter is logged
    on the run (`training.params`).
    """
    say = on_step or (lambda message: logger.info(message))
    documents = load_documents(engine, since=since)
    if len(documents) < MIN_DOCUMENTS:
        raise RadarError(
            f"the store holds only {len(documents)} documents; load data first "
            "(radar ingest DIR, or radar demo)"
        )
    train, held_out = split_holdout(documents, fraction=HELD_OUT_DOCUMENTS, seed=seed)
    train_texts = [doc.text for doc in train]
    held_texts = [doc.text for doc in held_out]
    corpus = {f"{kind}_documents": n for kind, n in Counter(d.kind for d in documents).items()}
    say(f"{len(documents):,} documents ({len(train):,} to train, {len(held_out):,} held out)")
    base = {"random_state": seed, **(params or {})}

    use_tracking(tracking_uri, experiment)
    label_rules = choose_label_rules(labels_path, model_name)
    before = champion_metrics(model_name)
    with mlflow.start_run(run_name="train") as run:
        mlflow.set_tag("trigger", "radar train")
        mlflow.log_params(
            {
                "data_since": since.isoformat() if since else "all",
                "min_fit": min_fit,
                "seed": seed,
                "held_out_documents": HELD_OUT_DOCUMENTS,
                "label_rules": label_rules.source,
            }
        )
        data_until = latest_activity(engine)
        if data_until is not None:
            mlflow.set_tag(DATA_UNTIL_TAG, data_until.isoformat())
        sweep: dict[int, TopicQuality] = {}
        if num_topics is None:

            def log(candidate: Candidate) -> None:
                say(
                    f"K={candidate.num_topics}: c_v {candidate.quality.coherence_cv:.3f}, "
                    f"NPMI {candidate.quality.coherence_npmi:.3f}, "
                    f"perplexity {candidate.quality.perplexity:.0f}"
                )
                log_candidate(
                    candidate.num_topics, candidate.quality, candidate.model.training_seconds_
                )

            result = sweep_num_topics(train_texts, held_texts, base, candidates, log)
            model, quality = result.chosen.model, result.chosen.quality
            sweep = {c.num_topics: c.quality for c in result.candidates}
            mlflow.log_param("num_topics_candidates", ",".join(map(str, sorted(sweep))))
            say(f"chose K={model.num_topics} (best mean rank of c_v, NPMI, perplexity)")
        else:
            model = fit_model(train_texts, {**base, "num_topics": num_topics})
            quality = evaluate_topic_model(model, held_texts, train_texts)
        say(label_rules.source)
        if label_rules.rules:
            model.set_labels(match_labels(model.top_words(20), label_rules.rules))
            log_label_rules(label_rules.rules)
        say("fitting the pair model on past placements")
        radar_model, reliability = build_radar_model(engine, model, documents, min_fit=min_fit)
        fit_state = "calibrated" if radar_model.fit.calibrated else "uncalibrated (no outcomes)"
        say(
            f"fit {fit_state}: "
            + ", ".join(f"{key} {value:.3f}" for key, value in radar_model.evaluation.items())
        )
        prevalence = np.asarray(model.transform(held_texts).mean(axis=0))
        model_uri = log_radar_model(
            radar_model,
            pair_params=PAIR_MODEL_PARAMS,
            quality=quality,
            prevalence=prevalence,
            corpus=corpus,
            sample_texts=held_texts,
            reliability=reliability,
        )
        logged = run_metrics(run.info.run_id)
        version = None
        decision = Decision(False, "not registered (register=False)")
        if register:
            version = register_version(model_uri, run.info.run_id, model_name).version
            before = champion_metrics(model_name)  # the champion now, after a long training
            if before is not None and promote == "auto":
                say("measuring the champion on the same data")
                again = champion_on_same_data(
                    engine,
                    tracking_uri=tracking_uri,
                    model_name=model_name,
                    documents=documents,
                    train_texts=train_texts,
                    held_texts=held_texts,
                    min_fit=min_fit,
                )
                mlflow.log_metrics({f"champion.{name}": value for name, value in again.items()})
                before = {**before, **again}
            decision = decide_promotion(promote, logged, before)
            if decision.promote:
                set_champion(model_name, version)
        mlflow.set_tags(
            {
                "registered_version": version or "-",
                "promoted": str(decision.promote),
                "promotion_reason": decision.reason,
            }
        )
    return TrainingOutcome(
        model=radar_model,
        evaluation=radar_model.evaluation,
        run_id=run.info.run_id,
        version=version,
        num_topics=model.num_topics,
        quality=quality,
        decision=decision,
        top_words=model.top_words(8),
        labels=list(model.topic_labels_),
        sweep=sweep,
        metrics=logged,
        champion_metrics=before,
    )


def train_word_vectors(
    topics: TopicModel, documents: Sequence[Document], *, seed: int
) -> WordVectors:
    """Word vectors trained on every modelled document's words that the topics know."""
    known = topics.dictionary_.token2id
    tokens = topics.tokenize(doc.text for doc in documents)
    return WordVectors.fit([[t for t in doc if t in known] for doc in tokens], seed=seed)


def build_radar_model(
    engine: Engine, topics: TopicModel, documents: list[Document], *, min_fit: float
) -> tuple[RadarModel, list[tuple[float, float, float, int]]]:
    """Topic model → word vectors, product vectors, host profiles, the pair model fitted
    on past placements, and the offline evaluation (with the calibration for new hosts);
    returns the model and its reliability table."""
    radar_model = RadarModel(
        topics, words=train_word_vectors(topics, documents, seed=topics.random_state)
    )
    data = load_matching_data(engine, radar_model, documents=documents)
    radar_model.categories = fit_category_model(data.catalogue, topics)
    attach_categories(data.catalogue, radar_model.categories, topics)
    radar_model.fit, calibration = fit_pair_model(
        data.outcomes, data.profiles, data.catalogue, min_fit=min_fit, **PAIR_MODEL_PARAMS
    )
    radar_model.peers = build_peer_table(data.profiles, data.outcomes, data.catalogue)
    report = evaluate_model(radar_model, data, min_fit=min_fit)
    radar_model.evaluation = {
        **calibration.as_metrics(),
        **report.metrics,
    }
    return radar_model, report.reliability
