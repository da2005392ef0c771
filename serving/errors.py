"""One place that turns domain errors into HTTP answers a person can act on."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from radar.errors import NoModelError, RadarError, UnknownProductError, UnknownStreamerError

_STATUS = {UnknownStreamerError: 404, UnknownProductError: 404, NoModelError: 503}


def install_error_handlers(app: FastAPI) -> None:
    """404 unknown host or product, 503 no model yet, 422 other domain errors."""

    async def radar_error(_request: Request, error: Exception) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 422)
        return JSONResponse({"detail": str(error)}, status_code=status)

    app.add_exception_handler(RadarError, radar_error)
