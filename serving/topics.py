"""Topic weights as the API shows them."""

from __future__ import annotations

import numpy as np

from radar.topics import TopicModel
from serving.schemas import TopicWeightPublic


def topic_weights(
    model: TopicModel, weights: np.ndarray, *, top: int = 5, words: int = 8
) -> list[TopicWeightPublic]:
    """The `top` heaviest topics of a distribution with labels and top words."""
    top_words = model.top_words(words)
    order = np.argsort(-weights, kind="stable")[:top]
    return [
        TopicWeightPublic(
            topic=int(k),
            label=model.topic_labels_[k],
            weight=float(weights[k]),
            top_words=top_words[k],
        )
        for k in order
    ]
