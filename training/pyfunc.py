"""The radar model as an MLflow pyfunc model (gensim has no MLflow flavour)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel

from radar.matching.model import RadarModel
from radar.topics import TopicModel

ARTIFACT_KEY = "radar_model"


class TopicModelPyfunc(PythonModel):
    """Wraps a saved `RadarModel`: `predict` takes a DataFrame with a `text` column and
    returns one row of topic weights per text, columns `topic_0` … `topic_{K-1}`.
    `radar_model` holds the whole model (topics, fit, settings) for the radar's own use."""

    def load_context(self, context: Any) -> None:
        self.radar_model = RadarModel.load(Path(context.artifacts[ARTIFACT_KEY]))
        self.topic_model = self.radar_model.topics

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        return topic_frame(self.topic_model, model_input["text"].astype(str).tolist())


def topic_frame(model: TopicModel, texts: list[str]) -> pd.DataFrame:
    """Topic weights of `texts` as a DataFrame with columns `topic_0` … `topic_{K-1}`."""
    weights = model.transform(texts)
    return pd.DataFrame(weights, columns=[f"topic_{k}" for k in range(weights.shape[1])])
