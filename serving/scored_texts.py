"""`POST /v1/score` with a free text, answered as plain ASGI (`serving.fast_path`): FastAPI's
routing, dependencies and second pass over the answer cost about a millisecond of the
event loop's time, as much as the text's topics. Scored in the event loop, one per turn
(`serving.turns`), byte-identical to the route (tested); pairs (`streamer_id` with
`product_ids`) and every error go on to the route."""

from __future__ import annotations

from functools import partial

from pydantic import ValidationError

from serving.fast_path import FastPath
from serving.holder import Served
from serving.routes.score import scored
from serving.schemas import ScoreRequest

PATH = "/v1/score"


class ScoredTexts(FastPath):
    """ASGI middleware: the fast path of `POST /v1/score` with `text`."""

    path = PATH

    async def answer(self, served: Served, body: bytes) -> bytes | None:
        try:
            request = ScoreRequest.model_validate_json(body)
        except ValidationError:
            return None
        if request.text is None:
            return None
        answer = await self.holder.turns().run(partial(scored, request, served))
        return answer.model_dump_json().encode()
