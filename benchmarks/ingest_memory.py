"""Peak memory and speed of `radar ingest` as the comments file grows.

Usage: python benchmarks/ingest_memory.py [--sizes 50 200 1000]

For each size (MB of comments.csv) it writes a synthetic comments file for 200 hosts,
ingests it into a fresh SQLite store in a child process, and prints the rows, seconds,
rows/s and the child's peak resident memory. Streaming means the peak stays flat.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHRASES = [
    "这个口红什么色号",
    "油皮能用吗",
    "多少钱",
    "什么时候发货",
    "主播好美",
    "哈哈哈哈",
    "粉底液持妆吗",
    "尺码偏大吗",
    "宝宝几个月能吃",
    "有优惠券吗",
    "上链接",
    "已拍",
]

CHILD = """
import sys
from pathlib import Path
from radar.ingest import ingest_directory
from radar.store import open_store
folder = Path(sys.argv[1])
engine = open_store(f"sqlite:///{folder / 'radar.db'}")
report = ingest_directory(folder / "in", engine, quarantine_root=folder / "q",
                          max_text_chars={"comments": 2000})
counts = report.tables["comments"]
assert counts.read == counts.loaded + counts.quarantined
print(counts.read, counts.loaded, counts.quarantined)
"""


def write_input(folder: Path, megabytes: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    with (folder / "streamers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["streamer_id", "name"])
        writer.writerows([f"h{i:04d}", f"主播{i}"] for i in range(200))
    target = megabytes * 1_000_000
    with (folder / "comments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["comment_id", "streamer_id", "created_at", "text"])
        number = 0
        while handle.tell() < target:
            for _ in range(10_000):
                number += 1
                text = "，".join(rng.choices(PHRASES, k=rng.randint(1, 4)))
                minute = number % 60
                writer.writerow(
                    [
                        f"c{number:09d}",
                        f"h{number % 200:04d}",
                        f"2026-08-03T20:{minute:02d}:00+08:00",
                        text,
                    ]
                )


def measure(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_input(folder / "in", megabytes)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, check=True
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        read = int(result.stdout.split()[0])
        print(
            f"{megabytes:>8} {read:>12,} {seconds:>9.1f} {read / seconds:>10,.0f} {peak_mb:>12.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100, 300])
    args = parser.parse_args()
    print(f"{'file MB':>8} {'rows':>12} {'seconds':>9} {'rows/s':>10} {'peak RSS MB':>12}")
    for megabytes in sorted(args.sizes):
        measure(megabytes)
    print("(peak RSS is the largest child so far: a flat column means constant memory)")


if __name__ == "__main__":
    main()
