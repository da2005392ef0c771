"""Annotated dependency aliases shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from radar.settings import Settings
from serving.holder import ModelHolder, Served


def get_holder(request: Request) -> ModelHolder:
    holder: ModelHolder = request.app.state.holder
    return holder


def get_served(request: Request) -> Served:
    """The model snapshot this request uses from start to end (503 if none)."""
    return get_holder(request).require()


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ServedDep = Annotated[Served, Depends(get_served)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
