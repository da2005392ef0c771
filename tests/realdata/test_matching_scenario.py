"""The matching goals on the real-data scenario (benchmarks/matching_scenario.py prints
the same figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.scenario import run_scenario

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_scenario_figures(shared_data: Path, tmp_path: Path) -> None:
    _, figures = run_scenario(shared_data, tmp_path)
    print({key: round(value, 3) for key, value in figures.items()})
    assert figures["warm_hosts"] >= 20 and figures["new_hosts"] >= 10
    assert figures["warm_precision_at_10"] >= 0.95
    assert figures["new_precision_at_10"] >= 0.75
    assert figures["new_precision_at_10"] >= 1.2 * figures["tfidf_new_precision_at_10"]
    # "0.8" means 80%: of the unplaced pairs scored at least 0.8, 80% convert
    assert figures["converted_share_at_min_fit"] >= 0.8
    assert figures["ece"] <= 0.05
    # hosts with fitting products get a list; hosts without get (almost) none
    assert figures["fitting_hosts_served"] >= 0.8
    assert figures["unfitting_hosts_served"] <= 0.05
