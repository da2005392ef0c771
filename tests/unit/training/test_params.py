"""What a training run logs as its params: every part's, flat, as strings."""

from __future__ import annotations

import inspect

from radar.matching.model import RadarModel
from radar.topics import TopicModel
from training.params import training_params
from training.run import build_radar_model, run_training

TEXTS = ["粉底液持妆控油", "口红色号显白", "羽绒服保暖轻薄", "阔腿裤显瘦垂感"] * 10


def test_a_vb_model_logs_vbs_parameters_and_every_parts_settings() -> None:
    topics = TopicModel(num_topics=2, trainer="vb", passes=2, no_below=1, no_above=1.0)
    params = training_params(RadarModel(topics.fit(TEXTS)), {"holdout_fraction": 0.2})
    assert (params["trainer"], params["passes"], params["iterations"]) == ("vb", "2", "100")
    assert not {"sweeps", "inference_alpha"} & set(params)  # CVB0's, ignored by VB
    assert params["profiles.half_life_days"] == "28.0"
    assert params["product_shrinkage"] == "0.5"
    assert params["pair.holdout_fraction"] == "0.2"
    assert "peers.k" not in params  # no peer table
    assert params["pipeline"].startswith('{"normalize"')


def test_training_has_no_fit_threshold_of_its_own() -> None:
    """The threshold comes from the caller (RADAR_MIN_FIT), never from a literal here."""
    for function in (run_training, build_radar_model):
        default = inspect.signature(function).parameters["min_fit"].default
        assert default is inspect.Parameter.empty, function.__name__
