"""Topic models on the 10-category shopping reviews: the radar recipe against the baselines.

Usage: python benchmarks/topic_model.py [--data ../shared/data] [--seeds 3] [--num-topics 20]
                                        [--skip-tomotopy]

One run prints train seconds, c_v, NPMI and category macro-F1 (median over seeds, and min–max)
for: (a) the radar recipe (`radar.topics.TopicModel`: CVB0 into a gensim LdaModel, on
`TextPipeline` tokens, vectors from its own inference),
(b) the issue's baseline (gensim LdaMulticore, 2 workers, 5 passes, plain `jieba.lcut` tokens),
(c) tomotopy LDAModel (Gibbs sampling, 2 workers) on the same plain tokens, if installed,
(d) TF-IDF + logistic regression (macro-F1 only, the ceiling); then met / NOT met per goal.

Protocol: the reviews are shuffled once (seed 0; the file is sorted by category). Dictionary:
`filter_extremes(no_below=5, no_above=0.5)`. c_v and NPMI: gensim `CoherenceModel` on the
top-10 words per topic against the documents as that trainer saw them. Macro-F1: logistic
regression on the document-topic vectors (sqrt, then standardised), 80/20 stratified split
(seed 0), predicting `cat`. Train seconds cover model training only; inference is reported
separately.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jieba
import numpy as np
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel, LdaModel, LdaMulticore
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from features.pipeline import TextPipeline
from radar.topics import TopicModel

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHUFFLE_SEED = 0
SPLIT_SEED = 0
TOP_WORDS = 10
TOMOTOPY_ITERATIONS = 300  # about the 34 s on 2 cores; c_v has flattened by then

Docs = list[list[str]]


# --- the radar recipe: swap this section for the project's own model class ---------------------


def radar_dictionary(token_docs: Docs) -> Dictionary:
    """The issue's dictionary filter."""
    dictionary = Dictionary(token_docs)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    return dictionary


def run_radar(token_docs: Docs, *, num_topics: int, seed: int) -> Trained:
    """The project's `TopicModel` (CVB0 training into a gensim LdaModel, `radar.topics.cvb0`)
    on `TextPipeline` tokens; document vectors from its own `transform_tokens`, as served."""
    model = TopicModel(num_topics=num_topics, random_state=seed).fit_tokens(token_docs)
    started = time.perf_counter()
    vectors = model.transform_tokens(token_docs)
    infer_seconds = time.perf_counter() - started
    return Trained(model.training_seconds_, infer_seconds, model.top_words(TOP_WORDS), vectors)


def doc_topics(model: LdaModel, dictionary: Dictionary, token_docs: Docs) -> np.ndarray:
    """Dense document-topic proportions (rows sum to 1), one row per document."""
    gamma, _ = model.inference([dictionary.doc2bow(doc) for doc in token_docs])
    return gamma / gamma.sum(axis=1, keepdims=True)


# --- baselines --------------------------------------------------------------------------------


def train_baseline(
    token_docs: Docs, *, num_topics: int, seed: int
) -> tuple[Dictionary, LdaMulticore, float]:
    """The issue's baseline: LdaMulticore, 2 workers, 5 passes, gensim defaults otherwise."""
    dictionary = radar_dictionary(token_docs)
    corpus = [dictionary.doc2bow(doc) for doc in token_docs]
    started = time.perf_counter()
    model = LdaMulticore(
        corpus=corpus,
        id2word=dictionary,
        num_topics=num_topics,
        random_state=seed,
        passes=5,
        workers=2,
        eval_every=None,
    )
    return dictionary, model, time.perf_counter() - started


def gensim_top_words(model: LdaModel, dictionary: Dictionary) -> list[list[str]]:
    return [
        [dictionary[word_id] for word_id, _ in model.get_topic_terms(topic, topn=TOP_WORDS)]
        for topic in range(model.num_topics)
    ]


@dataclass
class Trained:
    """What one training run leaves for evaluation."""

    seconds: float
    infer_seconds: float
    topics: list[list[str]]
    vectors: np.ndarray


def run_gensim(trainer: Callable, token_docs: Docs, *, num_topics: int, seed: int) -> Trained:
    dictionary, model, seconds = trainer(token_docs, num_topics=num_topics, seed=seed)
    started = time.perf_counter()
    vectors = doc_topics(model, dictionary, token_docs)
    infer_seconds = time.perf_counter() - started
    return Trained(seconds, infer_seconds, gensim_top_words(model, dictionary), vectors)


def run_tomotopy(token_docs: Docs, *, num_topics: int, seed: int) -> Trained:
    """tomotopy LDAModel (collapsed Gibbs), 2 workers, on the same dictionary-filtered tokens."""
    import tomotopy

    dictionary = radar_dictionary(token_docs)
    kept = [[word for word in doc if word in dictionary.token2id] for doc in token_docs]
    model = tomotopy.LDAModel(k=num_topics, seed=seed)
    for doc in kept:
        if doc:  # tomotopy skips empty documents; they get a uniform vector below
            model.add_doc(doc)
    started = time.perf_counter()
    with warnings.catch_warnings():  # "results may differ with workers != 1": known, accepted
        warnings.simplefilter("ignore", RuntimeWarning)
        model.train(TOMOTOPY_ITERATIONS, workers=2)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    trained = iter(list(model.docs))  # note: model.docs[i] is broken for i > 0 in tomotopy 0.14
    vectors = np.array(
        [
            next(trained).get_topic_dist() if doc else np.full(num_topics, 1 / num_topics)
            for doc in kept
        ]
    )
    infer_seconds = time.perf_counter() - started
    topics = [
        [word for word, _ in model.get_topic_words(k, top_n=TOP_WORDS)] for k in range(num_topics)
    ]
    return Trained(seconds, infer_seconds, topics, vectors)


# --- evaluation -------------------------------------------------------------------------------


@dataclass
class Row:
    """Per-seed figures for one trainer."""

    name: str
    seconds: list[float] = field(default_factory=list)
    infer_seconds: list[float] = field(default_factory=list)
    c_v: list[float] = field(default_factory=list)
    npmi: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)


def coherence_per_seed(
    topic_sets: list[list[list[str]]], token_docs: Docs, measure: str
) -> list[float]:
    """Mean coherence of each seed's topics; one CoherenceModel scores all seeds at once."""
    dictionary = radar_dictionary(token_docs)
    topics = [topic for topic_set in topic_sets for topic in topic_set]
    per_topic = CoherenceModel(
        topics=topics, texts=token_docs, dictionary=dictionary, coherence=measure, processes=1
    ).get_coherence_per_topic()
    k = len(topic_sets[0])
    return [float(np.mean(per_topic[i * k : (i + 1) * k])) for i in range(len(topic_sets))]


def macro_f1(features: np.ndarray, cats: np.ndarray) -> float:
    """Logistic regression, 80/20 stratified split, macro-F1 on the held-out fifth."""
    train, test = train_test_split(
        np.arange(len(cats)), test_size=0.2, stratify=cats, random_state=SPLIT_SEED
    )
    scaler = StandardScaler(with_mean=not hasattr(features, "tocsr")).fit(features[train])
    classifier = LogisticRegression(max_iter=2000).fit(
        scaler.transform(features[train]), cats[train]
    )
    return float(
        f1_score(cats[test], classifier.predict(scaler.transform(features[test])), average="macro")
    )


def topic_f1(vectors: np.ndarray, cats: np.ndarray) -> float:
    """Macro-F1 from topic vectors: sqrt spreads the small proportions, then standardised LR."""
    return macro_f1(np.sqrt(vectors), cats)


def tfidf_f1(token_docs: Docs, cats: np.ndarray) -> float:
    """The no-topics ceiling: TF-IDF on plain jieba tokens + logistic regression."""
    train, test = train_test_split(
        np.arange(len(cats)), test_size=0.2, stratify=cats, random_state=SPLIT_SEED
    )
    features = TfidfVectorizer(analyzer=lambda doc: doc, min_df=2, sublinear_tf=True).fit_transform(
        token_docs
    )
    classifier = LogisticRegression(max_iter=2000).fit(features[train], cats[train])
    return float(f1_score(cats[test], classifier.predict(features[test]), average="macro"))


def evaluate(name: str, runs: list[Trained], token_docs: Docs, cats: np.ndarray) -> Row:
    topic_sets = [run.topics for run in runs]
    return Row(
        name=name,
        seconds=[run.seconds for run in runs],
        infer_seconds=[run.infer_seconds for run in runs],
        c_v=coherence_per_seed(topic_sets, token_docs, "c_v"),
        npmi=coherence_per_seed(topic_sets, token_docs, "c_npmi"),
        f1=[topic_f1(run.vectors, cats) for run in runs],
    )


# --- reporting --------------------------------------------------------------------------------


def cell(values: list[float], digits: int) -> str:
    if not values:
        return ""
    median = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return median
    return f"{median} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def print_table(rows: list[Row]) -> None:
    header = f"{'trainer':<46} {'train s':>17} {'c_v':>19} {'NPMI':>22} {'macro-F1':>19}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:<46} {cell(row.seconds, 1):>17} {cell(row.c_v, 3):>19} "
            f"{cell(row.npmi, 3):>22} {cell(row.f1, 3):>19}"
        )
    print("\ninference seconds (all documents, outside train time):")
    for row in rows:
        if row.infer_seconds:
            print(f"  {row.name:<44} {cell(row.infer_seconds, 1)}")


def print_goals(radar: Row, tomotopy: list[Row], ceiling: float) -> None:
    def verdict(ok: bool) -> str:
        return "met    " if ok else "NOT met"

    c_v, npmi = statistics.median(radar.c_v), statistics.median(radar.npmi)
    seconds, f1 = statistics.median(radar.seconds), statistics.median(radar.f1)
    print("\ngoals (radar recipe, medians):")
    print(f"  {verdict(c_v >= 0.68)} c_v ≥ 0.68: {c_v:.3f}")
    print(f"  {verdict(npmi >= 0.10)} NPMI ≥ 0.10: {npmi:.3f}")
    if not tomotopy:
        print(f"  unknown train time ≤ tomotopy's: {seconds:.1f} s, tomotopy skipped")
    else:  # the faster of tomotopy's two runs
        limit = min(statistics.median(row.seconds) for row in tomotopy)
        print(
            f"  {verdict(seconds <= limit)} train time ≤ tomotopy's: {seconds:.1f} vs {limit:.1f} s"
        )
    print(
        f"  {verdict(f1 >= ceiling - 0.10)} macro-F1 within 10 points of TF-IDF + LR: "
        f"{f1:.3f} vs {ceiling:.3f} (needs ≥ {ceiling - 0.10:.3f})"
    )


# --- main -------------------------------------------------------------------------------------


def load_reviews(data: Path) -> tuple[list[str], np.ndarray]:
    """Non-empty reviews and their categories, shuffled once with a fixed seed."""
    path = data / "reviews" / "online_shopping_10_cats.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(row["cat"], row["review"]) for row in csv.DictReader(handle) if row["review"]]
    random.Random(SHUFFLE_SEED).shuffle(rows)
    return [text for _, text in rows], np.array([cat for cat, _ in rows])


def tomotopy_available() -> bool:
    try:
        import tomotopy  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--num-topics", type=int, default=20)
    parser.add_argument("--skip-tomotopy", action="store_true")
    args = parser.parse_args()
    run_started = time.perf_counter()
    machine = platform.processor() or platform.machine()
    print(f"# topic model benchmark, {datetime.now():%Y-%m-%d %H:%M}, {platform.node()}")
    print(f"# {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")

    texts, cats = load_reviews(args.data)
    jieba.setLogLevel(60)
    started = time.perf_counter()
    radar_docs = list(TextPipeline().tokenize_many(texts))
    radar_tokenise = time.perf_counter() - started
    started = time.perf_counter()
    plain_docs = [jieba.lcut(text) for text in texts]
    plain_tokenise = time.perf_counter() - started
    print(
        f"corpus: {len(texts):,} reviews, K = {args.num_topics}, seeds 0..{args.seeds - 1}; "
        f"tokenising took {radar_tokenise:.1f} s (TextPipeline), {plain_tokenise:.1f} s (jieba)\n"
    )

    seeds = range(args.seeds)
    k = args.num_topics
    rows = []
    radar_runs = [run_radar(radar_docs, num_topics=k, seed=s) for s in seeds]
    rows.append(evaluate("(a) radar: TopicModel (CVB0 → gensim)", radar_runs, radar_docs, cats))
    base_runs = [run_gensim(train_baseline, plain_docs, num_topics=k, seed=s) for s in seeds]
    rows.append(
        evaluate("(b) LdaMulticore 2 workers, jieba.lcut tokens", base_runs, plain_docs, cats)
    )
    tomotopy_rows: list[Row] = []
    if args.skip_tomotopy:
        print("tomotopy: skipped (--skip-tomotopy)")
    elif not tomotopy_available():
        print("tomotopy: not installed, skipped (pip install tomotopy)")
    else:
        tomo_runs = [run_tomotopy(plain_docs, num_topics=k, seed=s) for s in seeds]
        tomotopy_rows.append(
            evaluate(
                f"(c) tomotopy LDA {TOMOTOPY_ITERATIONS} it, 2 workers, jieba",
                tomo_runs,
                plain_docs,
                cats,
            )
        )
        same_tokens = [run_tomotopy(radar_docs, num_topics=k, seed=s) for s in seeds]
        tomotopy_rows.append(
            evaluate("(c') same tomotopy, TextPipeline tokens", same_tokens, radar_docs, cats)
        )
        rows.extend(tomotopy_rows)
    ceiling = tfidf_f1(plain_docs, cats)
    rows.append(Row(name="(d) TF-IDF + LR on jieba tokens (no topics)", f1=[ceiling]))

    print_table(rows)
    print_goals(rows[0], tomotopy_rows, ceiling)
    print(f"\nwhole run: {time.perf_counter() - run_started:.0f} s")


if __name__ == "__main__":
    main()
