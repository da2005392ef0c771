"""`POST /v1/recommend` answered from the precomputed lists as plain ASGI.

Routing, dependency solving and the middleware of FastAPI cost more than reading a
ready list, so a request the lists answer (a known key, a JSON body that validates
against `RecommendRequest`, a loaded model with a list for the host covering the options)
is answered here. Every other request goes on to the FastAPI route, body intact, which
gives the same answers and all errors (401, 404, 422, 503): there is one schema, one key
check and one list, and the two paths are byte-identical (tested).
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.body_limit import first_header, replaying
from serving.holder import ModelHolder
from serving.schemas import RecommendRequest
from serving.security import key_is_known

PATH = "/v1/recommend"


class ListedRecommendations:
    """ASGI middleware: the fast path of `POST /v1/recommend`."""

    def __init__(
        self, app: ASGIApp, *, holder: ModelHolder, api_keys: tuple[str, ...], min_fit: float
    ) -> None:
        """`min_fit`: the answer's cut when the request gives none (RADAR_MIN_FIT)."""
        self.app = app
        self.holder = holder
        self.api_keys = api_keys
        self.min_fit = min_fit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        messages = await _read_request(receive)
        answer = self._answer(scope, b"".join(message.get("body", b"") for message in messages))
        if answer is None:
            await self.app(scope, replaying(messages, receive), send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _answer(self, scope: Scope, body: bytes) -> bytes | None:
        """The ready response body, or None to leave the request to the route."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if not (first_header(headers, b"content-type") or b"").startswith(b"application/json"):
            return None
        if not key_is_known(self.api_keys, first_header(headers, b"x-api-key")):
            return None
        served = self.holder.current
        if served is None:
            return None
        try:
            request = RecommendRequest.model_validate_json(body)
        except ValidationError:
            return None
        return served.lists.answer(
            request.streamer_id,
            top_k=request.top_k,
            min_fit=request.cut(self.min_fit),
            filters=request.rules(),
            rank_by=request.rank_by,
        )


async def _read_request(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (its size is bounded by
    `BodySizeLimit`, which runs first)."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages
