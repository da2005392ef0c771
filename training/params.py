"""Every parameter a radar model was trained with, as MLflow's flat params.

The topic model's keep their plain names (`num_topics`, `trainer`, …: what earlier runs
logged), its trainer's own parameters with their defaults filled in and the other
trainer's left out; the rest are prefixed by the part they set: `profiles.*`,
`product_shrinkage`, `peers.*` and `pair.*` (the pair model's training settings).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict

from radar.matching.calibration import PROPENSITY_MODEL_PARAMS
from radar.matching.categories import CATEGORY_MODEL_PARAMS
from radar.matching.fit import FitModel
from radar.matching.model import RadarModel
from radar.matching.peers import PRIOR_RATE, PRIOR_WEIGHT, SIMILARITY_SCALE
from radar.topics.model import TRAINER_DEFAULTS
from radar.topics.word_vectors import WORD_VECTOR_PARAMS

PIPELINE_CHARS = 6000
"""MLflow keeps a param's value to a few thousand characters."""


def training_params(model: RadarModel, pair: Mapping[str, object]) -> dict[str, str]:
    """The params of `model`, trained with the pair-model settings `pair`, as strings."""
    topics = model.topics
    others = {
        name
        for trainer, own in TRAINER_DEFAULTS.items()
        if trainer != topics.trainer
        for name in own
    }
    params: dict[str, object] = {
        key: value
        for key, value in topics.get_params().items()
        if key not in others and key != "pipeline"
    }
    params.update(topics.trainer_params())
    params["pipeline"] = json.dumps(topics.pipeline.to_dict(), ensure_ascii=False)[:PIPELINE_CHARS]
    params.update({f"profiles.{key}": value for key, value in asdict(model.profiles).items()})
    params["product_shrinkage"] = model.product_shrinkage
    if model.peers is not None:
        params["peers.k"] = model.peers.k
    params.update({f"pair.{key}": value for key, value in pair.items()})
    if isinstance(model.fit, FitModel):
        params.update({f"pair.{key}": value for key, value in model.fit.get_params().items()})
    params.update({f"pair.propensity_{key}": v for key, v in PROPENSITY_MODEL_PARAMS.items()})
    params.update({f"categories.{key}": value for key, value in CATEGORY_MODEL_PARAMS.items()})
    params.update(
        {
            "peers.prior_rate": PRIOR_RATE,
            "peers.prior_weight": PRIOR_WEIGHT,
            "peers.similarity_scale": SIMILARITY_SCALE,
        }
    )
    if model.words is not None:
        params.update({f"words.{key}": value for key, value in WORD_VECTOR_PARAMS.items()})
    return {key: str(value) for key, value in params.items()}
