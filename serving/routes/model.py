"""GET /v1/model and POST /v1/admin/reload."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter

from serving.deps import HolderDep, ServedDep
from serving.schemas import HealthPublic, ModelPublic
from serving.topics import topic_weights

router = APIRouter(prefix="/v1", tags=["model"])


@router.get("/model")
def model(served: ServedDep) -> ModelPublic:
    """The served version, when it was trained, its topics and its evaluation."""
    radar_model = served.loaded.model
    topics = radar_model.topics
    uniform = np.full(topics.num_topics, 1.0 / topics.num_topics)
    return ModelPublic(
        model_name=served.loaded.name,
        model_version=served.loaded.version,
        trained_at=topics.trained_at_,
        num_topics=topics.num_topics,
        calibrated=radar_model.fit.calibrated,
        topics=topic_weights(topics, uniform, top=topics.num_topics),
        evaluation=radar_model.evaluation,
    )


@router.post("/admin/reload")
def reload(holder: HolderDep) -> HealthPublic:
    """Load the registry's champion now (the server also polls on an interval)."""
    holder.refresh()
    served = holder.current
    return HealthPublic(
        status="ok" if holder.last_error is None else "degraded",
        model_name=holder.model_name,
        model_version=served.loaded.version if served else None,
        detail=holder.last_error,
    )
