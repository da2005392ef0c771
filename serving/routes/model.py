"""GET /v1/model and POST /v1/admin/reload."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool

from serving.deps import HolderDep, ServedDep, SettingsDep
from serving.errors import documented
from serving.monitoring import latest_monitoring
from serving.routes.health import health_of
from serving.schemas import HealthPublic, ModelPublic
from serving.security import require_admin_key
from serving.topics import topic_weights

router = APIRouter(prefix="/v1", tags=["model"])


@router.get("/model", responses=documented(401, 503))
def model(served: ServedDep, settings: SettingsDep) -> ModelPublic:
    """The served version, when it was trained, its topics, its evaluation and its latest
    monitoring status (`radar monitor`; null before the first)."""
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
        monitoring=latest_monitoring(settings.resolved_mlflow_tracking_uri, served.loaded.version),
    )


@router.post(
    "/admin/reload",
    dependencies=[Depends(require_admin_key)],
    responses=documented(401, 403, 503),
)
async def reload(holder: HolderDep, response: Response) -> HealthPublic:
    """Load the registry's champion now (the server also polls on an interval); answers
    as /health does. Needs an admin key (RADAR_ADMIN_KEYS)."""
    await run_in_threadpool(holder.refresh)
    return health_of(holder, response)
