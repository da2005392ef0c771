"""`POST /v1/recommend` answered from the precomputed lists, or scored, as plain ASGI.

Routing, dependency solving and the middleware of FastAPI cost more than reading a
ready list, so a request the lists answer (a known key, a JSON body that validates
against `RecommendRequest`, a loaded model with a list for the host covering the options)
is answered here; so is a request they do not answer, scored (`HostLists.score`, in the
scoring threads) and serialised as the route does. Every other request (a host without
its list yet, an unknown host) goes on to the FastAPI route, body intact, which gives the
same answers and all errors (401, 404, 422, 503): there is one schema, one key check and
one list, and the two paths are byte-identical (tested).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from anyio import to_thread
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from radar.errors import RadarError
from serving.body_limit import first_header, replaying
from serving.holder import ModelHolder, Served
from serving.lists import to_public
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
        answer = await self._answer(
            scope, b"".join(message.get("body", b"") for message in messages)
        )
        if answer is None:
            await self.app(scope, replaying(messages, receive), send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, scope: Scope, body: bytes) -> bytes | None:
        """The response body, from the lists or scored, or None to leave the request to
        the route."""
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
        host, top_k, min_fit = request.streamer_id, request.top_k, request.cut(self.min_fit)
        options = {"filters": request.rules(), "rank_by": request.rank_by}
        lists = served.lists
        ready = lists.answer(host, top_k=top_k, min_fit=min_fit, **options)  # type: ignore[arg-type]
        if ready is not None or (lists.covers(top_k=top_k, min_fit=min_fit) and host not in lists):
            return ready  # a host without its list yet: the route makes it
        scored = partial(_scored, served, host, top_k=top_k, min_fit=min_fit, **options)
        return await to_thread.run_sync(scored, limiter=self.holder.scoring())


def _scored(served: Served, streamer_id: str, **options: Any) -> bytes | None:
    """The request scored (`HostLists.score`), as the route answers it; None on an error
    (an unknown host), which the route then answers."""
    try:
        result = served.lists.score(streamer_id, **options)
    except RadarError:
        return None
    return to_public(result, served.loaded.version).model_dump_json().encode()


async def _read_request(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (its size is bounded by
    `BodySizeLimit`, which runs first)."""
    messages = [await receive()]
    while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
        messages.append(await receive())
    return messages
