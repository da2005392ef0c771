"""The matching goals on the real-data scenario, measured in one run.

Usage: python benchmarks/matching_scenario.py [--data ../shared/data] [--topics 40]

Builds the scenario from ../shared/data (seeded), trains the radar on it, and prints
precision@10 for warm and new hosts beside the TF-IDF cosine reference, the calibration
of the fit over every unplaced pair, and how many hosts get a recommendation ≥ 0.8.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from datetime import date
from pathlib import Path

from training.scenario import run_scenario

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--topics", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scenario, figures = run_scenario(args.data, Path(scratch), num_topics=args.topics)
    print(f"# matching scenario, {date.today()}, {platform.machine()}, K={args.topics}")
    print(
        f"{len(scenario.host_categories)} hosts ({len(scenario.warm_hosts)} warm), "
        f"{len(scenario.product_categories)} products, {figures['documents']} documents, "
        f"trained in {figures['train_seconds']:.0f} s\n"
    )
    warm, new = figures["warm_precision_at_10"], figures["new_precision_at_10"]
    tfidf_warm, tfidf_new = (
        figures["tfidf_warm_precision_at_10"],
        figures["tfidf_new_precision_at_10"],
    )
    rows = [
        ("warm hosts: precision@10", warm, tfidf_warm, "≥ 0.95", warm >= 0.95),
        (
            "new hosts: precision@10",
            new,
            tfidf_new,
            "≥ 0.75 and ≥ 1.2 × TF-IDF",
            new >= 0.75 and new >= 1.2 * tfidf_new,
        ),
        (
            "share converting among fit ≥ 0.8",
            figures["converted_share_at_min_fit"],
            None,
            "≥ 0.80",
            figures["converted_share_at_min_fit"] >= 0.8,
        ),
        ("expected calibration error", figures["ece"], None, "≤ 0.05", figures["ece"] <= 0.05),
        (
            "hosts with fitting products served ≥ 0.8",
            figures["fitting_hosts_served"],
            None,
            "≥ 0.80",
            figures["fitting_hosts_served"] >= 0.8,
        ),
        (
            "hosts without fitting products served",
            figures["unfitting_hosts_served"],
            None,
            "≈ 0",
            figures["unfitting_hosts_served"] <= 0.05,
        ),
    ]
    print(f"{'figure':<44} {'radar':>7} {'TF-IDF':>7}  goal")
    for name, value, reference, goal, met in rows:
        ref = f"{reference:7.3f}" if reference is not None else " " * 7
        print(f"{name:<44} {value:7.3f} {ref}  {goal}: {'met' if met else 'NOT met'}")
    print(
        f"\n({figures['warm_hosts']} warm and {figures['new_hosts']} new hosts with fitting "
        f"products; {figures['pairs_at_min_fit']} pairs at fit ≥ 0.8)"
    )


if __name__ == "__main__":
    main()
