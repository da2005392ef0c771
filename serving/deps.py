"""Annotated dependency aliases shared by the routers (async: they never block, so
FastAPI runs them on the event loop instead of the thread pool)."""

from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, Request

from radar.settings import Settings
from serving.holder import ModelHolder, Served


async def get_holder(request: Request) -> ModelHolder:
    holder: ModelHolder = request.app.state.holder
    return holder


async def get_served(request: Request) -> Served:
    """The model snapshot this request uses from start to end (503 if none)."""
    holder: ModelHolder = request.app.state.holder
    return holder.require()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_scoring(request: Request) -> CapacityLimiter:
    """The limiter of the scoring threads (`ModelHolder.scoring`)."""
    holder: ModelHolder = request.app.state.holder
    return holder.scoring()


HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ServedDep = Annotated[Served, Depends(get_served)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ScoringDep = Annotated[CapacityLimiter, Depends(get_scoring)]
