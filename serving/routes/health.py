"""GET /health: is a model served, which one, and why not ok (for probes: 503 when none)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from serving.deps import HolderDep
from serving.holder import ModelHolder
from serving.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    responses={503: {"model": HealthPublic, "description": "no model is served (no_model)"}},
)
async def health(holder: HolderDep, response: Response) -> HealthPublic:
    """ok, or degraded (serving, but the champion failed to load), with a short reason;
    503 no_model when nothing is served. Needs no key."""
    return health_of(holder, response)


def health_of(holder: ModelHolder, response: Response) -> HealthPublic:
    """The holder's state as /health shows it, with short fixed reasons (never the error's
    text); sets `response` to 503 when no model is served."""
    served = holder.current
    status: Literal["ok", "degraded", "no_model"]
    if served is None:
        response.status_code = 503
        status = "no_model"
    else:
        status = "degraded" if holder.problem else "ok"
    return HealthPublic(
        status=status,
        model_name=holder.model_name,
        model_version=None if served is None else served.loaded.version,
        reason=holder.problem,
        lists_ready=served is not None and served.lists.warmed.is_set(),
    )
