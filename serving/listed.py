"""`POST /v1/recommend` answered from the precomputed lists, or scored, as plain ASGI.

Routing, dependency solving and the middleware of FastAPI cost more than reading a
ready list, so a request the lists answer (a known key, a JSON body that validates
against `RecommendRequest`, a loaded model with a list for the host covering the options)
is answered here; so is a request they do not answer, scored (`HostLists.score`, in the
event loop, one per turn: `serving.turns`) and serialised as the route does. Every other
request (a host without its list yet, an unknown host) goes on to the FastAPI route, body
intact, which gives the same answers and all errors (401, 404, 422, 503): there is one
schema, one key check and one list, and the two paths are byte-identical (tested).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp

from radar.errors import RadarError
from serving.fast_path import FastPath
from serving.holder import ModelHolder, Served
from serving.schemas import RecommendRequest

PATH = "/v1/recommend"


class ListedRecommendations(FastPath):
    """ASGI middleware: the fast path of `POST /v1/recommend`."""

    path = PATH

    def __init__(
        self, app: ASGIApp, *, holder: ModelHolder, api_keys: tuple[str, ...], min_fit: float
    ) -> None:
        """`min_fit`: the answer's cut when the request gives none (RADAR_MIN_FIT)."""
        super().__init__(app, holder=holder, api_keys=api_keys)
        self.min_fit = min_fit

    async def answer(self, served: Served, body: bytes) -> bytes | None:
        """The response body, from the lists or scored, or None to leave the request to
        the route."""
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
        return await self.holder.turns().run(scored)


def _scored(served: Served, streamer_id: str, **options: Any) -> bytes | None:
    """The request scored (`HostLists.score`), as the route answers it; None on an error
    (an unknown host), which the route then answers."""
    try:
        return served.lists.score(streamer_id, **options)
    except RadarError:
        return None
