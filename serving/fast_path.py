"""A route answered as plain ASGI, before FastAPI's routing, dependencies and middleware
(`serving.listed`, `serving.scored_texts`): the common part, a POST with a JSON body and a
known key while a model is served. Whatever such a path does not answer (an error, a
request it does not handle) goes on to the FastAPI route, body intact, which gives the
same answers and all errors."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from serving.body_limit import first_header, read_request, replaying
from serving.holder import ModelHolder, Served
from serving.security import key_is_known


class FastPath:
    """ASGI middleware answering `POST path` (`answer`), or leaving it to the route."""

    path = ""

    def __init__(self, app: ASGIApp, *, holder: ModelHolder, api_keys: tuple[str, ...]) -> None:
        self.app = app
        self.holder = holder
        self.api_keys = api_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        messages = await read_request(receive)
        served = self._accepted(scope)
        body = b"".join(message.get("body", b"") for message in messages)
        answer = None if served is None else await self.answer(served, body)
        if answer is None:
            await self.app(scope, replaying(messages, receive), send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _accepted(self, scope: Scope) -> Served | None:
        """The served model when the request is JSON with a known key, else None."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if not (first_header(headers, b"content-type") or b"").startswith(b"application/json"):
            return None
        if not key_is_known(self.api_keys, first_header(headers, b"x-api-key")):
            return None
        return self.holder.current

    async def answer(self, served: Served, body: bytes) -> bytes | None:
        """The response body (status 200), or None to leave the request to the route."""
        raise NotImplementedError
