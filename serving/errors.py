"""One place that turns errors into HTTP answers a person can act on.

A public answer says what to do in a short fixed text, or repeats only what the request
sent (an unknown id); what went wrong inside (paths, URLs, SQL) goes to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from radar.errors import (
    NoModelError,
    RadarError,
    StoreBusyError,
    UnknownHostError,
    UnknownProductError,
)
from radar.redact import mask_urls_in

logger = logging.getLogger(__name__)

NO_MODEL = "no model is served yet: train one with `radar train` (GET /health gives the reason)"
STORE_BUSY = "the store is busy with another command: retry in a moment"
UNANSWERED = "the request could not be answered: the server's log says why"

_ECHOING = {UnknownHostError: 404, UnknownProductError: 404}  # name only the sent ids
_FIXED = {NoModelError: (503, NO_MODEL), StoreBusyError: (503, STORE_BUSY)}


class ErrorPublic(BaseModel):
    detail: str


_DESCRIPTIONS = {
    401: "missing or wrong X-API-Key",
    403: "the key is not an admin key (RADAR_ADMIN_KEYS)",
    404: "unknown host or product",
    422: "the request does not validate",
    503: "no model is served yet",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error answers a route can give."""
    return {
        code: {"model": ErrorPublic, "description": _DESCRIPTIONS[code]}
        for code in codes
        if code != 422  # FastAPI documents its own 422 wherever a route validates input
    }


def install_error_handlers(app: FastAPI) -> None:
    """404 unknown host or product, 503 no model yet or a busy store, 422 invalid input
    (never echoing it: it may hold NaN, which JSON cannot carry), 500 anything else."""

    async def radar_error(_request: Request, error: Exception) -> JSONResponse:
        for echoing, code in _ECHOING.items():
            if isinstance(error, echoing):
                return JSONResponse({"detail": str(error)}, status_code=code)
        for fixed, (code, text) in _FIXED.items():
            if isinstance(error, fixed):
                return JSONResponse({"detail": text}, status_code=code)
        logger.error("unanswered %s: %s", type(error).__name__, mask_urls_in(str(error)))
        return JSONResponse({"detail": UNANSWERED}, status_code=500)

    async def invalid_request(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            {key: value for key, value in problem.items() if key != "input"}
            for problem in error.errors()
        ]
        return JSONResponse({"detail": jsonable_encoder(problems)}, status_code=422)

    app.add_exception_handler(RadarError, radar_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
