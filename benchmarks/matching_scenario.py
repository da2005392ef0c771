"""The matching goals on the real-data scenario, measured on the lists `radar batch` writes.

Usage: python benchmarks/matching_scenario.py [--seeds 1,2,3,4,5] [--data ../shared/data]
       [--topics 40] [--build new_share=0.5 ...]

For each build seed: builds the scenario from ../shared/data, ingests it, trains the
radar, writes the week's lists with the batch (top 50 per host, no threshold: as
`radar batch --top-k 50 --min-fit 0`), and computes every figure from the batch's CSV.
Prints one table per seed with each goal marked met or NOT met, then all seeds side by
side with whether each goal is met on every seed. `--build NAME=VALUE` (repeatable) builds
the scenario differently, with another value for one of `build_scenario`'s parameters
(`new_share`, `reviews_per_host`, `comments_per_room`, `products_per_source`,
`withheld_share`, `placements_per_host`): the goals must hold on other constructions too.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from scenario.build import build_parameter  # benchmarks/scenario, beside this script
from scenario.figures import GOALS
from scenario.run import run_scenario

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--seeds", default="1,2,3,4,5", help="build seeds, comma-separated")
    parser.add_argument(
        "--build",
        action="append",
        default=[],
        type=build_parameter,
        metavar="NAME=VALUE",
        help="another value for one of build_scenario's parameters, e.g. new_share=0.5",
    )
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    build = dict(args.build)
    started = time.perf_counter()
    construction = ", ".join(f"{name}={value:g}" for name, value in build.items()) or "default"
    print(
        f"# matching scenario, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"K={args.topics}, build seeds {','.join(map(str, seeds))}, construction: "
        f"{construction}\n"
    )
    results = {}
    for seed in seeds:
        with tempfile.TemporaryDirectory() as scratch:
            figures = run_scenario(
                args.data, Path(scratch), build_seed=seed, num_topics=args.topics, build=build
            ).figures
        results[seed] = figures
        print_table(seed, figures)
    print_summary(results)
    print(f"\n{len(seeds)} seeds in {time.perf_counter() - started:.0f} s")


def print_summary(results: Mapping[int, Mapping[str, float]]) -> None:
    """Every seed side by side, and whether each goal is met on every seed."""
    print("## every seed\n")
    print(f"| figure | {' | '.join(f'seed {seed}' for seed in results)} | goal | every seed |")
    print(f"|---|{'---:|' * len(results)}---|---|")
    for goal in GOALS:
        cells = [
            goal.shown(figures) if goal.met(figures) else f"**{goal.shown(figures)}** ✗"
            for figures in results.values()
        ]
        met = sum(goal.met(figures) for figures in results.values())
        verdict = "met" if met == len(results) else f"**NOT met** ({met} of {len(results)})"
        print(f"| {goal.figure} | {' | '.join(cells)} | {goal.bar} | {verdict} |")


def print_table(seed: int, figures: Mapping[str, float]) -> None:
    """One seed's figures as a Markdown table, each goal marked met or NOT met."""
    print(
        f"## build seed {seed}: {figures['fitting_hosts']:.0f} hosts with fitting products "
        f"({figures['fitting_new_hosts']:.0f} new), {figures['unfitting_hosts']:.0f} without; "
        f"{figures['listed_pairs']:.0f} listed pairs; {figures['documents']:.0f} documents; "
        f"built and trained in {figures['train_seconds']:.0f} s, "
        f"{figures['seconds']:.0f} s with the batch\n"
    )
    print("| figure | value | goal | |")
    print("|---|---:|---|---|")
    for goal in GOALS:
        verdict = "met" if goal.met(figures) else "**NOT met**"
        print(f"| {goal.figure} | {goal.shown(figures)} | {goal.bar} | {verdict} |")
    print()


if __name__ == "__main__":
    main()
