"""Block scoring at scale against the plain numpy reference, measured in one run.

Usage: python benchmarks/batch_scoring.py [--hosts 10000] [--products 100000] [--topics 50]
                                          [--home SCALE_HOME [--stored-only] [--repeat N]]

Synthetic Dirichlet topic vectors stand in for profiles and products (what is timed is
the scoring, not the text). The reference is plain numpy in blocks: GEMM of host and
product topic vectors and `argpartition` for each host's top 20. The radar side is what
`radar batch` runs after the profiles are built: `Recommender.recommend_many`'s block
engine (`map_blocks`: host vectors × product vectors, partial sort) plus the exact fits
and ranking of each host's candidates, without reasons and files. Prints seconds, the
ratio, and peak resident memory of each side (each in its own child process).

With `--home` (a RADAR_HOME holding the scale store and a champion: see the README), it
also runs the real `radar batch` there three times, files and store rows written, with
its default workers (one per core): as after a new model (host profiles and catalogue
vectors built and stored), as after an ingest of new transcripts or comments (profiles
built, vectors reused), and as a re-run (everything reused, as when the API has already
built them). Its memory is the peak summed PSS of the batch and its forked workers. The
machine's speed drifts over minutes: `--repeat N` measures the re-run N times, each
beside a reference of its own, and prints the median ratio and the range.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
from radar.matching.fit import FitModel, ProductSide, product_vectors
from radar.matching.ranking import rank_products
from radar.matching.products import ProductText
from radar.matching.scoring import candidates_needed, map_blocks

side, hosts, products, topics, categories = sys.argv[1], *map(int, sys.argv[2:6])
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
    side_p = ProductSide(np.sqrt(product_topics), product_categories)
    product_vectors = product_vectors(side_p)
    host_vectors = np.hstack([np.sqrt(host_topics) * 3.0,
                              rng.random((hosts, categories)), np.full((hosts, 1), -2.0)])
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


def forget_derived(home: Path, *, catalogue: bool) -> None:
    """Drop the stored host profiles (and, with `catalogue`, the catalogue's vectors), so
    the next batch builds them as it does after new text (a new model)."""
    from sqlalchemy import delete

    from radar.settings import Settings
    from radar.store import open_store
    from radar.store.models import CatalogueVectorsRow, HostProfileRow

    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.begin() as connection:
        connection.execute(delete(HostProfileRow))
        if catalogue:
            connection.execute(delete(CatalogueVectorsRow))


def measure_batch(home: Path, out: Path, *, sample_memory: bool) -> float:
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
            [*command, "--week", "2026-W48", "--out", str(out)],
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
    runs = [  # (what the batch finds, what is forgotten before it: profiles, vectors)
        ("new model: profiles, vectors built", (True, True)),
        ("new text: profiles built", (True, False)),
        ("re-run: all stored", (False, False)),
    ]
    for run, (profiles, vectors) in runs[-1:] if args.stored_only else runs:
        figures = []
        for sample_memory in (False, True):
            if profiles:
                forget_derived(home, catalogue=vectors)
            figures.append(measure_batch(home, out, sample_memory=sample_memory))
        seconds, peak_mb = figures
        print(
            f"{'radar batch, ' + run:<46} {seconds:>8.1f} {peak_mb:>8.0f}   "
            f"ratio {seconds / reference['seconds']:.2f} (goal ≤ 1.5, ≤ 1024 MB)"
        )
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
            f"range {min(ratios):.2f}-{max(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
