"""The fast path of `POST /v1/score` with a free text: byte for byte the route's answer;
pairs and every error go on to the route, body intact."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from radar.settings import Settings
from serving.app import create_app
from serving.scored_texts import ScoredTexts

KEY = "test-key-123"
JSON = {"X-API-Key": KEY, "Content-Type": "application/json"}
TEXTS = [
    {"text": "这款粉底液持妆控油吗", "top_k": 3},
    {"text": "宝宝的连体衣要纯棉的，猫粮有没有优惠"},
    {"text": "没有一个认识的词 xyz", "top_k": 100},
]


@pytest.fixture(scope="module")
def client(trained_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=trained_home, api_keys=KEY))) as fast:
        yield fast


class Route:
    """A stand-in for the FastAPI app behind the middleware: keeps what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.bodies.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def post_to_fast_path(
    client: TestClient, body: bytes, headers: dict[str, str]
) -> tuple[int, Route]:
    route = Route()
    state = client.app.state  # type: ignore[attr-defined]
    fast = ScoredTexts(route, holder=state.holder, api_keys=state.api_keys)

    async def posting() -> httpx.Response:
        transport = httpx.ASGITransport(app=fast)
        async with httpx.AsyncClient(transport=transport, base_url="http://radar") as http:
            return await http.post("/v1/score", content=body, headers=headers)

    return asyncio.run(posting()).status_code, route


def test_texts_are_answered_as_the_route_answers_them(
    client: TestClient, trained_home: Path
) -> None:
    routed = create_app(Settings(home=trained_home, api_keys=KEY))
    routed.user_middleware = [
        layer for layer in routed.user_middleware if layer.cls is not ScoredTexts
    ]
    with TestClient(routed) as slow:
        for request in TEXTS:
            answers = [c.post("/v1/score", json=request, headers=JSON) for c in (client, slow)]
            assert [answer.status_code for answer in answers] == [200, 200]
            assert answers[0].content == answers[1].content
            assert answers[0].headers["content-type"] == answers[1].headers["content-type"]
    for request in TEXTS:
        status, route = post_to_fast_path(client, json.dumps(request).encode(), JSON)
        assert (status, route.bodies) == (200, [])


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"streamer_id": "h0002", "product_ids": ["p1"]}', JSON),
        ('{"text": "粉底液"}'.encode(), {"Content-Type": "application/json"}),
        ('{"text": "粉底液"}'.encode(), {**JSON, "X-API-Key": "wrong"}),
        (b'{"text": ""}', JSON),
        ('{"text": "粉底液", "extra": 1}'.encode(), JSON),
        (b'{"text": ', JSON),
    ],
)
def test_pairs_and_errors_reach_the_route_whole(
    client: TestClient, body: bytes, headers: dict[str, str]
) -> None:
    status, route = post_to_fast_path(client, body, headers)
    assert (status, route.bodies) == (299, [body])


def test_the_first_text_loads_nothing(trained_home: Path) -> None:
    """What a free text needs is loaded with the lists: the first text waits for nothing
    (every request waits for the one scored before it)."""
    with TestClient(create_app(Settings(home=trained_home, api_keys=KEY))) as fresh:
        served = fresh.app.state.holder.current  # type: ignore[attr-defined]
        assert served.lists.warmed.wait(120), "the lists were not computed in two minutes"
        assert "dictionary_" in vars(served.loaded.model.topics)
