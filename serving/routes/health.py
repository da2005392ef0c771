"""GET /health: is a model loaded, which one, and did the last reload fail."""

from __future__ import annotations

from fastapi import APIRouter

from serving.deps import HolderDep
from serving.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(holder: HolderDep) -> HealthPublic:
    served = holder.current
    return HealthPublic(
        status="ok"
        if served is not None and holder.last_error is None
        else "degraded"
        if served is not None
        else "no_model",
        model_name=holder.model_name,
        model_version=served.loaded.version if served is not None else None,
        detail=holder.last_error,
    )
