"""A request body size limit as plain ASGI middleware (no per-request task or stream
wrapping, unlike Starlette's `BaseHTTPMiddleware`)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Answers 413 to a request whose body is over `max_bytes`: at once from its
    Content-Length, or, for a body sent without one, after reading at most `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = first_header(scope["headers"], b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:  # no Content-Length (chunked): read up to the limit, then replay
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        await self.app(scope, replaying(messages, receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body over {self.max_bytes} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def read_request(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (for a fast path behind
    `BodySizeLimit`, which bounds its size)."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives `messages` again, then whatever comes next."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def first_header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """A header's first value, as Starlette reads it (so a repeated header cannot pass raw
    ASGI middleware where the route would refuse it)."""
    return next((value for key, value in headers if key == name), None)
