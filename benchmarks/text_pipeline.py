"""Throughput of the text pipeline against plain jieba, measured in one run.

Usage: python benchmarks/text_pipeline.py [--data ../shared/data] [--limit N]

Prints MB/s (UTF-8 bytes of raw review text per second, one core) for:
plain `jieba.lcut`, the radar pipeline (normalise + segment + filter) on its default
engine, and the same pipeline on plain jieba; then how often the fast engine agrees
with jieba (same tokens per document, and token F1) on normalised text with the
live-commerce user dictionary loaded in both.
"""

from __future__ import annotations

import argparse
import csv
import platform
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jieba

from features.pipeline import PipelineConfig, TextPipeline

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_reviews(data: Path, limit: int | None) -> list[str]:
    path = data / "reviews" / "online_shopping_10_cats.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        texts = [row["review"] for row in csv.DictReader(handle) if row["review"]]
    return texts[:limit] if limit else texts


def megabytes_per_second(work: Callable[[str], object], texts: list[str]) -> float:
    size = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    started = time.perf_counter()
    for text in texts:
        work(text)
    return size / (time.perf_counter() - started)


def token_f1(left: list[str], right: list[str]) -> float:
    common = sum((Counter(left) & Counter(right)).values())
    if not left and not right:
        return 1.0
    return 2 * common / (len(left) + len(right))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N reviews only")
    args = parser.parse_args()
    texts = load_reviews(args.data, args.limit)
    size = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(
        f"# text pipeline benchmark, {date.today()}, {platform.processor() or platform.machine()}"
    )
    print(f"corpus: {len(texts):,} reviews, {size:.1f} MB of UTF-8 text, one core\n")

    jieba.setLogLevel(60)
    jieba.initialize()
    fast = TextPipeline()
    slow = TextPipeline(PipelineConfig(engine="jieba"))
    fast.tokenize(texts[0])  # warm the lazy tables before timing
    slow.tokenize(texts[0])

    results = {
        "plain jieba.lcut (reference)": megabytes_per_second(jieba.lcut, texts),
        f"radar pipeline, engine={fast.segmenter.engine}": megabytes_per_second(
            fast.tokenize, texts
        ),
        "radar pipeline, engine=jieba": megabytes_per_second(slow.tokenize, texts),
    }
    reference = results["plain jieba.lcut (reference)"]
    print(f"{'what':<40} {'MB/s':>8} {'× jieba':>8}")
    for name, speed in results.items():
        print(f"{name:<40} {speed:>8.2f} {speed / reference:>8.2f}")

    normalised = [fast.normalize(text) for text in texts]
    same = 0
    f1 = 0.0
    for text in normalised:
        left, right = fast.segmenter.cut(text), slow.segmenter.cut(text)
        same += left == right
        f1 += token_f1(left, right)
    print(
        f"\nagreement {fast.segmenter.engine} vs jieba (user dictionary loaded in both): "
        f"{same / len(texts):.2%} of documents identical, mean token F1 {f1 / len(texts):.4f}"
    )
    goal = results[f"radar pipeline, engine={fast.segmenter.engine}"]
    print(f"goal ≥ 5 MB/s on one core: {'met' if goal >= 5 else 'NOT met'} ({goal:.2f} MB/s)")


if __name__ == "__main__":
    main()
