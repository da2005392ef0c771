"""The HTTP API: `create_app(settings)` builds it; `radar serve` runs it with uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from radar.errors import RadarError
from radar.service.options import ListOptions
from radar.settings import Settings
from radar.store import open_store
from serving.access_log import AccessLog
from serving.body_limit import BodySizeLimit
from serving.console.page import install_console
from serving.docs import install_docs
from serving.errors import install_error_handlers
from serving.holder import ModelHolder
from serving.listed import ListedRecommendations
from serving.routes import health, model, recommend, score
from serving.scored_texts import ScoredTexts
from serving.security import load_api_keys, require_api_key

MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None, *, insecure_dev: bool = False) -> FastAPI:
    """The API app. Without API keys it refuses to build unless `insecure_dev`.

    Raises:
        RadarError: no API keys configured (and not `insecure_dev`).
    """
    config = settings or Settings()
    keys, admin_keys = load_api_keys(
        config.api_keys, config.api_keys_file, config.admin_keys, config.admin_keys_file
    )
    if not keys and not insecure_dev:
        raise RadarError(
            "no API keys: set RADAR_API_KEYS (comma-separated) or RADAR_API_KEYS_FILE, "
            "or start with --insecure-dev on a trusted machine"
        )
    holder = ModelHolder(
        open_store(config.resolved_database_url, busy_timeout=config.store_busy_timeout_seconds),
        config.resolved_mlflow_tracking_uri,
        config.model_name,
        config.model_cache_dir,
        profile_ttl=config.profile_ttl_seconds,
        min_fit=config.min_fit,
        options=ListOptions.of(config),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(holder.refresh)
        poller = asyncio.create_task(_poll(holder, config.model_poll_seconds))
        yield
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        holder.close()

    app = FastAPI(
        title="选品雷达 selection radar",
        version="1",
        lifespan=lifespan,
        description="Which new products fit each live-stream host, with reasons.",
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = config
    app.state.holder = holder
    app.state.api_keys = keys
    app.state.admin_keys = admin_keys
    app.add_middleware(ListedRecommendations, holder=holder, api_keys=keys, min_fit=config.min_fit)
    app.add_middleware(ScoredTexts, holder=holder, api_keys=keys)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    if config.access_log:
        app.add_middleware(AccessLog)  # outermost: runs first, sees every answer
    install_error_handlers(app)
    install_docs(app)
    install_console(app, min_fit=config.min_fit, cache_seconds=config.profile_ttl_seconds)
    app.include_router(health.router)
    secured = [Depends(require_api_key)]
    for router in (recommend.router, score.router, model.router):
        app.include_router(router, dependencies=secured)
    return app


async def _poll(holder: ModelHolder, seconds: float) -> None:
    """Check the registry's champion every `seconds` and swap when it moved."""
    while True:
        await asyncio.sleep(seconds)
        await asyncio.to_thread(holder.refresh)
