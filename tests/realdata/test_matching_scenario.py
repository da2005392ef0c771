"""The matching scenario on real data: the figures are printed; what holds today is
asserted. The issue's full goals are tracked by benchmarks/matching_scenario.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.scenario import run_scenario

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_scenario_figures(shared_data: Path, tmp_path: Path) -> None:
    _, figures = run_scenario(shared_data, tmp_path)
    print({key: round(value, 3) for key, value in figures.items()})
    assert figures["warm_hosts"] >= 20 and figures["new_hosts"] >= 10
    # warm hosts: history makes them easy, and the radar must beat the TF-IDF reference
    assert figures["warm_precision_at_10"] >= 0.9
    assert figures["warm_precision_at_10"] > figures["tfidf_warm_precision_at_10"] + 0.2
    # hosts whose categories have no product in the pool get (almost) no list
    assert figures["unfitting_hosts_served"] <= 0.1
