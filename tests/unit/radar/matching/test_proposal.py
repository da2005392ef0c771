"""The selection meeting's proposal score, part by part, on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest

from radar.matching.proposal import (
    ProposalWeights,
    fan_demand_scores,
    heat_scores,
    profit_scores,
)


def test_a_product_trending_up_is_hotter_than_one_trending_down() -> None:
    recent = np.array([12.0, 3.0, 6.0, 0.0])
    before = np.array([3.0, 12.0, 6.0, 0.0])
    heat = heat_scores(recent, before, ["美妆", "美妆", "美妆", "美妆"])
    assert heat[0] > heat[2] > heat[1]  # up, steady, down
    assert np.all((heat >= 0) & (heat <= 1))
    assert heat[3] == pytest.approx(0.5)  # no activity of its own: its (steady) category's


def test_a_product_without_activity_takes_its_categorys_heat() -> None:
    recent = np.array([20.0, 0.0, 1.0, 0.0])
    before = np.array([2.0, 0.0, 10.0, 0.0])
    heat = heat_scores(recent, before, ["食品", "食品", "数码", "数码"])
    assert heat[1] > 0.5 > heat[3]  # rising food, falling electronics


def test_a_higher_margin_gives_a_higher_profit_part() -> None:
    profit = profit_scores([0.1, 0.4, 0.25, None, 0.4])
    assert profit[1] > profit[2] > profit[0]
    assert profit[1] == profit[4]  # ties share a place
    assert profit[3] == 0.0  # unknown margin
    assert np.all((profit >= 0) & (profit <= 1))


def test_fan_demand_is_closeness_to_the_fans_topics() -> None:
    fans = np.array([0.8, 0.2, 0.0])
    products = np.sqrt(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.8, 0.2, 0.0]]))
    demand = fan_demand_scores(fans, products)
    assert demand[2] == pytest.approx(1.0)
    assert demand[0] > demand[1] == 0.0


def test_weights_are_30_40_30_and_normalised() -> None:
    weights = ProposalWeights()
    score = weights.score(np.array([1.0]), np.array([0.0]), np.array([0.0]))
    assert score[0] == pytest.approx(0.3)
    assert ProposalWeights(3, 4, 3).score(np.ones(1), np.ones(1), np.ones(1))[0] == 1.0
    with pytest.raises(ValueError, match="weights"):
        ProposalWeights(0, 0, 0)
