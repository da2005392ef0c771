"""The scenario's figures, computed from lists as the batch writes them."""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.scenario.build import Scenario
from benchmarks.scenario.figures import (
    GOALS,
    evidence_ceiling,
    read_batch_lists,
    scenario_figures,
)
from radar.matching.history import Outcome

SCENARIO = Scenario(
    host_categories={"warm": ["美妆"], "new": ["美妆"], "books": ["书籍"]},
    product_categories={"p1": "美妆", "p2": "美妆", "p3": "美妆", "p4": "服饰"},
    warm_hosts={"warm"},
)


def figures(lists: dict[str, list[tuple[str, float]]]) -> dict[str, float]:
    return scenario_figures(
        lists, SCENARIO, reference={"new": ["p4", "p1"]}, ceiling=0.9, seed=1, k=2
    )


def test_served_unfitting_precision_and_ties() -> None:
    result = figures(
        {
            "warm": [("p1", 0.85), ("p2", 0.84)],
            "new": [("p4", 0.79), ("p1", 0.79), ("p2", 0.5)],
            "books": [("p3", 0.81), ("p4", 0.2)],
        }
    )
    assert result["fitting_hosts"] == 2 and result["unfitting_hosts"] == 1
    assert result["served_share"] == 0.5 and result["served_share_new"] == 0.0
    assert result["unfitting_served"] == 1 and result["unfitting_served_pairs"] == 1
    assert result["warm_precision_at_10"] == 1.0  # k=2 here: both of warm's are 美妆
    assert result["new_precision_at_10"] == 0.5 and result["tfidf_new_precision_at_10"] == 0.5
    assert result["listed_pairs"] == 7 and result["pairs_at_min_fit"] == 3
    assert result["top_fit"] == 0.85 and result["evidence_ceiling"] == 0.9
    assert result["tied_neighbours"] == 1 / 4  # (0.79, 0.79) of four neighbouring pairs
    assert 0 <= result["ece"] <= 1 and 0 <= result["ece_new"] <= 1


def test_a_host_without_a_list_is_not_served() -> None:
    result = figures({"warm": [("p1", 0.9)]})
    assert result["served_share"] == 0.5 and result["unfitting_served"] == 0
    assert result["new_precision_at_10"] == 0.0
    assert math.isnan(result["ece_new"])


def test_goals_mark_what_is_met() -> None:
    result = figures({"warm": [("p1", 0.95)], "new": [("p1", 0.9)]})
    met = {goal.figure: goal.met(result) for goal in GOALS}
    assert met["hosts with fitting products served at ≥ 0.8"]
    assert met["hosts with no fitting product served at ≥ 0.8"]
    assert not met["highest fit shown (evidence: highest rate placed)"]  # 0.95 > 0.9


def test_evidence_ceiling_is_the_highest_smoothed_rate_with_enough_placements() -> None:
    moment = datetime(2025, 6, 2)
    outcomes = [Outcome("a", "p1", moment, 1) for _ in range(10)]
    outcomes += [Outcome("a", "p4", moment, i % 2) for i in range(10)]
    outcomes += [Outcome("b", "p1", moment, 1) for _ in range(3)]  # too few to count
    assert evidence_ceiling(outcomes, SCENARIO.product_categories) == 11 / 12


def test_batch_files_read_in_rank_order(tmp_path: Path) -> None:
    rows = [("h", 2, "p2", 0.5), ("h", 1, "p1", 0.8125), ("g", 1, "p3", 0.1)]
    with (tmp_path / "b.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "streamer_id", "rank", "product_id", "fit"])
        writer.writerows([["2026-W48", *row] for row in rows])
    names = ["streamer_id", "rank", "product_id", "fit"]
    pq.write_table(
        pa.table(dict(zip(names, zip(*rows, strict=True), strict=True))), tmp_path / "b.parquet"
    )
    expected = {"h": [("p1", 0.8125), ("p2", 0.5)], "g": [("p3", 0.1)]}
    assert read_batch_lists(tmp_path / "b.csv") == expected
    assert read_batch_lists(tmp_path / "b.parquet") == expected
