"""The access log as plain ASGI middleware: one line per request with its method, path,
status and duration. Never the headers (the key), the query or the body; the path as
sent (percent-encoded), so a line cannot be split by an encoded newline."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("radar.access")


class AccessLog:
    """Logs `METHOD /path STATUS 1.2 ms` to the `radar.access` logger (INFO) once a
    request is answered; 500 when it failed before answering."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            path = scope.get("raw_path") or scope["path"].encode("unicode_escape")
            logger.info(
                "%s %s %d %.1f ms", scope["method"], path.decode("latin-1"), status, elapsed
            )
