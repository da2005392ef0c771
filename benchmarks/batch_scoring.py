"""Block scoring at scale against the plain numpy reference, measured in one run.

Usage: python benchmarks/batch_scoring.py [--hosts 10000] [--products 100000] [--topics 50]
                                          [--home SCALE_HOME [--stored-only] [--repeat N]
                                           [--new-text-share 0.1]]

Synthetic Dirichlet topic vectors stand in for profiles and products (what is timed is
the scoring, not the text). The reference is plain numpy in blocks: GEMM of host and
product topic vectors and `argpartition` for each host's top 20. The radar side is what
`radar batch` runs after the profiles are built: `Recommender.recommend_many`'s block
engine (`map_blocks`: host vectors × product vectors, partial sort) plus the exact fits
and ranking of each host's candidates, without reasons and files. Prints seconds, the
ratio, and peak resident memory of each side (each in its own child process).

With `--home` (a RADAR_HOME holding the scale store and a champion: see the README), it
also runs the real `radar batch` there, files and store rows written, with its default
workers (one per core): as after a new model (host profiles, the hosts' inferred documents
and the catalogue's vectors built and stored); as after a week of new text for 10% of the
hosts (`--new-text-share`): each one's sessions of its last seven days again, seven days
later, ingested with `radar ingest`, so that only those hosts' profiles are built again
and only their new documents inferred (the store is copied before the ingest and put
back after); as a re-run (everything reused, as when the API has already built them); and
as a re-run with an operations request's filters (the largest category, up to the median
price, at most 3 a category), beside the unfiltered one. Each but the filtered one is run
twice, for its time and for its memory: the peak summed PSS of the batch and its forked
workers. The machine's speed drifts over minutes: `--repeat N` measures the re-run and
the new-text case N times each, each beside a reference of its own, and prints the median
ratio and the range. Run it on a copy of the scale home: it writes there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

CHILD = r"""
import json, resource, sys, time
import numpy as np
from radar.matching.fit import FitModel, ProductSide, product_vectors
from radar.matching.ranking import rank_products
from radar.matching.products import ProductText
from radar.matching.scoring import candidates_needed, map_blocks

side, hosts, products, topics, categories = sys.argv[1], *map(int, sys.argv[2:6])
words = 32  # the word vectors' dimensions (radar.topics.word_vectors.DIMENSIONS)
rng = np.random.default_rng(0)
host_topics = rng.dirichlet(np.full(topics, 0.1), size=hosts)
product_topics = rng.dirichlet(np.full(topics, 0.1), size=products)
started = time.perf_counter()
if side == "reference":
    for start in range(0, hosts, 256):
        scores = host_topics[start:start + 256] @ product_topics.T
        top = np.argpartition(-scores, 19, axis=1)[:, :20]
else:
    fit = FitModel.of(np.array([2.0, 0.5, 0.5, 1.0, -1.0, 1.0, 1.0, 0.5, 2.0, 0.5, 0.1]), -3.0)
    product_categories = np.eye(categories)[rng.integers(0, categories, products)]
    product_words = rng.normal(size=(products, words)).astype(np.float32)
    product_words /= np.linalg.norm(product_words, axis=1, keepdims=True)
    side_p = ProductSide(np.sqrt(product_topics), product_categories, product_words)
    product_vectors = product_vectors(side_p)
    host_words = rng.normal(size=(hosts, words))
    host_words /= np.linalg.norm(host_words, axis=1, keepdims=True)
    host_vectors = np.hstack([np.sqrt(host_topics) * 3.0, rng.random((hosts, categories)),
                              0.5 * host_words, np.full((hosts, 1), -2.0)])
    catalogue = [ProductText(f"p{i:06d}", "t") for i in range(products)]
    per_host = candidates_needed(10, 20)
    blocks = [host_vectors[s:s + 256] for s in range(0, hosts, 256)]
    scored = map_blocks(blocks, product_vectors, per_host=per_host)
    for (rows_block, _), start in zip(scored, range(0, hosts, 256)):
        for offset, rows in enumerate(rows_block):
            scores = product_vectors[rows] @ host_vectors[start + offset]
            fits = fit.fits_from_scores(scores, has_history=True)
            rank_products(fits, [catalogue[r] for r in rows], top_k=10, min_fit=0.0)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


WEEK = timedelta(days=7)
TRANSCRIPT_COLUMNS = ["session_id", "streamer_id", "started_at", "text"]
COMMENT_COLUMNS = ["comment_id", "streamer_id", "created_at", "text", "session_id"]


def measure(side: str, args: argparse.Namespace) -> dict[str, float]:
    command = [
        sys.executable,
        "-c",
        CHILD,
        side,
        str(args.hosts),
        str(args.products),
        str(args.topics),
        str(args.categories),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def forget_derived(home: Path) -> None:
    """Drop everything a model derived from the store (host profiles, the hosts' inferred
    documents, the catalogue's vectors), so the next batch builds it all, as after a new
    model."""
    from sqlalchemy import delete

    from radar.store.models import CatalogueVectorsRow, HostDocumentsRow, HostProfileRow

    with _store(home).begin() as connection:
        for table in (HostProfileRow, HostDocumentsRow, CatalogueVectorsRow):
            connection.execute(delete(table))


def _store(home: Path) -> Engine:
    from radar.settings import Settings
    from radar.store import open_store

    return open_store(Settings(home=home).resolved_database_url)


def write_new_week(home: Path, folder: Path, share: float) -> tuple[int, int]:
    """Tables of a week of new text for every `1 / share`-th host (in id order): the
    sessions of the host's last seven days again, seven days later, their transcripts and
    comments those of the sessions they repeat (the host's own words, so its topics stay
    its own). Returns the numbers of transcripts and comments written."""
    from sqlalchemy import select

    from radar.store.models import Comment, Transcript
    from radar.store.reads import load_host_ids

    engine = _store(home)
    hosts = load_host_ids(engine)[:: round(1 / share)]
    with engine.connect() as connection:
        sessions = defaultdict(list)
        for row in connection.execute(select(Transcript).where(Transcript.streamer_id.in_(hosts))):
            sessions[row.streamer_id].append(row)
        repeated = [
            row
            for rows in sessions.values()
            for row in rows
            if row.started_at > max(r.started_at for r in rows) - WEEK
        ]
        said = connection.execute(
            select(Comment).where(Comment.session_id.in_([row.session_id for row in repeated]))
        ).all()
    transcripts = [
        [f"{row.session_id}-next", row.streamer_id, (row.started_at + WEEK).isoformat(), row.text]
        for row in repeated
    ]
    comments = [
        [
            f"{c.comment_id}-next",
            c.streamer_id,
            (c.created_at + WEEK).isoformat(),
            c.text,
            f"{c.session_id}-next",
        ]
        for c in said
    ]
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "transcripts.csv", TRANSCRIPT_COLUMNS, transcripts)
    _write_csv(folder / "comments.csv", COMMENT_COLUMNS, comments)
    return len(transcripts), len(comments)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def ingest(home: Path, folder: Path) -> float:
    """`radar ingest FOLDER` into the home, in a child process; its wall seconds."""
    env = {**os.environ, "RADAR_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "ingest", str(folder)],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def copy_database(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another with SQLite's backup (consistent, WAL and
    all): how the store is put back as it was before the week's ingest."""
    with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(target)) as write:
        read.backup(write)


def store_filters(home: Path) -> list[str]:
    """`radar batch` options of an operations request: the catalogue's largest category,
    products up to its median price, at most 3 a category."""
    from sqlalchemy import func, select

    from radar.store.models import Product

    with _store(home).connect() as connection:
        category = connection.scalar(
            select(Product.category)
            .where(Product.category.is_not(None))
            .group_by(Product.category)
            .order_by(func.count().desc(), Product.category)
            .limit(1)
        )
        prices = select(Product.price).where(Product.price.is_not(None))
        count = connection.scalar(select(func.count()).select_from(prices.subquery())) or 0
        median = connection.scalar(prices.order_by(Product.price).offset(count // 2).limit(1))
    return ["--category", str(category), "--price-max", f"{median:.2f}", "--max-per-category", "3"]


def measure_batch(
    home: Path, out: Path, *, sample_memory: bool, options: Sequence[str] = ()
) -> float:
    """One `radar batch` in a child process: its wall seconds or, with `sample_memory`,
    its peak memory in MB: the largest sum, sampled every 50 ms, of the proportional set
    sizes (PSS) of the child and the workers it forks (pages they share counted once in
    all). Reading PSS costs the kernel a page-table walk (~0.1 s of CPU per sample at
    this size), so time and memory are measured in separate runs."""
    env = {**os.environ, "RADAR_HOME": str(home), "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-c", "from cli.main import main; main()", "batch"]
    peak_kb = 0
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*command, "--week", "2026-W48", "--out", str(out), *options],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        while child.poll() is None:
            if sample_memory:
                peak_kb = max(peak_kb, tree_pss_kb(child.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    if child.returncode != 0:
        raise SystemExit(f"radar batch failed:\n{output}")
    return peak_kb / 1024 if sample_memory else seconds


def tree_pss_kb(root: int) -> int:
    """The summed PSS (kB) of a process and all its descendants, from /proc (Linux)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended between two reads
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--categories", type=int, default=12)
    parser.add_argument("--home", type=Path, help="RADAR_HOME of the scale store")
    parser.add_argument(
        "--stored-only", action="store_true", help="skip the runs that rebuild profiles"
    )
    parser.add_argument(
        "--new-text-share",
        type=float,
        default=0.1,
        help="share of hosts with a week of new text in the new-text case",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure the re-run this many times, each beside a reference of its own",
    )
    args = parser.parse_args()
    print(
        f"# block scoring, {args.hosts:,} hosts × {args.products:,} products × "
        f"{args.topics} topics, one core each side, {time.strftime('%Y-%m-%d')}"
    )
    reference = measure("reference", args)
    radar = measure("radar", args)
    print(f"{'side':<46} {'seconds':>8} {'peak MB':>8}")
    print(
        f"{'numpy reference (GEMM + argpartition top-20)':<46} "
        f"{reference['seconds']:>8.1f} {reference['peak_mb']:>8.0f}"
    )
    print(
        f"{'radar block scoring + exact fits + ranking':<46} "
        f"{radar['seconds']:>8.1f} {radar['peak_mb']:>8.0f}"
    )
    ratio = radar["seconds"] / reference["seconds"]
    print(f"scoring ratio {ratio:.2f}; peak {radar['peak_mb']:.0f} MB")
    if args.home is None:
        return
    print(f"# radar batch: {os.cpu_count()} workers; memory = peak PSS of it and its workers")
    home = args.home.resolve()
    out = home / "batch-benchmark"

    def row(what: str, seconds: float, peak_mb: float, goal: str) -> None:
        print(
            f"{'radar batch, ' + what:<46} {seconds:>8.1f} {peak_mb:>8.0f}   "
            f"ratio {seconds / reference['seconds']:.2f} ({goal})"
        )

    def timed_and_sampled(before: Callable[[], None]) -> list[float]:
        """A batch's seconds, then its peak MB in a second batch, `before` run before each."""
        figures = []
        for sample_memory in (False, True):
            before()
            figures.append(measure_batch(home, out, sample_memory=sample_memory))
        return figures

    if not args.stored_only:
        seconds, peak_mb = timed_and_sampled(lambda: forget_derived(home))
        row("new model: profiles, vectors built", seconds, peak_mb, "goal ≤ 3, ≤ 1024 MB")
        new_text(home, out, args, reference["seconds"])
    seconds, peak_mb = timed_and_sampled(lambda: None)
    row("re-run: all stored", seconds, peak_mb, "goal ≤ 1.3, ≤ 1024 MB")
    unfiltered = seconds
    ratios = [seconds / reference["seconds"]]
    for repeat in range(2, args.repeat + 1):  # each re-run right after its own reference
        again = measure("reference", args)["seconds"]
        seconds = measure_batch(home, out, sample_memory=False)
        ratios.append(seconds / again)
        print(
            f"  repeat {repeat}: reference {again:.1f} s, re-run {seconds:.1f} s, "
            f"ratio {ratios[-1]:.2f}"
        )
    if args.repeat > 1:
        print(
            f"re-run ratio over {args.repeat} pairs: median {statistics.median(ratios):.2f}, "
            f"range {min(ratios):.2f}-{max(ratios):.2f} (goal median ≤ 1.3, none over 1.5)"
        )
    filters = store_filters(home)  # last: at scale it takes the longest
    filtered = measure_batch(home, out, sample_memory=False, options=filters)
    print(
        f"{'radar batch, re-run with filters':<46} {filtered:>8.1f} {'-':>8}   "
        f"ratio {filtered / reference['seconds']:.2f} ({filtered / unfiltered:.2f}× unfiltered)"
    )
    print(f"  filters: {' '.join(filters)}")


def new_text(home: Path, out: Path, args: argparse.Namespace, reference: float) -> None:
    """The batch after a week of new text for `args.new_text_share` of the hosts,
    everything else stored: the week ingested (`radar ingest`) into the store, the batch
    measured, the store put back as it was (from a copy made before). Its time `repeat`
    times, each after a reference of its own (the first: `reference`), then its memory."""
    database = home / "radar.db"
    if not database.is_file():
        raise SystemExit(f"the new-text case needs the home's SQLite store ({database})")
    before = home / "radar.db.before-new-week"
    share = args.new_text_share
    with tempfile.TemporaryDirectory() as folder:
        transcripts, comments = write_new_week(home, Path(folder), share)
        copy_database(database, before)
        pairs: list[tuple[float, float]] = []  # (reference, batch) seconds
        peak_mb, ingest_seconds = 0.0, 0.0
        try:
            for repeat in range(args.repeat + 1):  # the last one samples memory
                if 0 < repeat < args.repeat:
                    reference = measure("reference", args)["seconds"]
                try:
                    ingest_seconds = ingest(home, Path(folder))
                    sample_memory = repeat == args.repeat
                    figure = measure_batch(home, out, sample_memory=sample_memory)
                finally:
                    copy_database(before, database)
                if sample_memory:
                    peak_mb = figure
                else:
                    pairs.append((reference, figure))
        finally:
            before.unlink()
    ratios = [seconds / own for own, seconds in pairs]
    print(
        f"{f'radar batch, new text for {share:.0%} of hosts':<46} {pairs[0][1]:>8.1f} "
        f"{peak_mb:>8.0f}   ratio {ratios[0]:.2f} (goal ≤ 1.5, ≤ 1024 MB)"
    )
    print(
        f"  the week: {transcripts:,} transcripts, {comments:,} comments, "
        f"ingested in {ingest_seconds:.1f} s (not counted)"
    )
    for repeat, (own, seconds) in enumerate(pairs[1:], start=2):
        print(
            f"  repeat {repeat}: reference {own:.1f} s, new text {seconds:.1f} s, "
            f"ratio {seconds / own:.2f}"
        )
    if len(pairs) > 1:
        print(
            f"new-text ratio over {len(pairs)} pairs: median {statistics.median(ratios):.2f}, "
            f"range {min(ratios):.2f}-{max(ratios):.2f} (goal ≤ 1.5)"
        )


if __name__ == "__main__":
    main()
