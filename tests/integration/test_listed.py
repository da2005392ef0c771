"""The fast path of `POST /v1/recommend`: it answers what the lists cover, byte for byte
as the FastAPI route does, and hands everything else to the route with its body intact."""

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
from serving.listed import ListedRecommendations
from serving.lists import LIST_TOP_K
from serving.schemas import RecommendRequest

KEY = "test-key-123"
JSON = {"X-API-Key": KEY, "Content-Type": "application/json"}
SCORED = [
    {"streamer_id": "h0002", "min_fit": 0.1},
    {"streamer_id": "h0005", "top_k": 21},
    {"streamer_id": "h0011", "top_k": 5, "filters": {"price_max": 1.0}},
    {"streamer_id": "h0002", "top_k": 40, "min_fit": 0.3, "rank_by": "proposal"},
]
COVERED = [
    {"streamer_id": "h0002"},
    {"streamer_id": "h0005", "top_k": 3},
    {"streamer_id": "h0005", "top_k": LIST_TOP_K, "min_fit": 0.85},
]


@pytest.fixture(scope="module")
def client(trained_home: Path) -> Iterator[TestClient]:
    """The whole app, started (model loaded, lists warmed)."""
    with TestClient(create_app(Settings(home=trained_home, api_keys=KEY, min_fit=0.5))) as fast:
        warmed = fast.app.state.holder.current.lists.warmed  # type: ignore[attr-defined]
        assert warmed.wait(120), "the lists were not computed in two minutes"
        assert fast.get("/health").json()["lists_ready"] is True
        yield fast


class Route:
    """A stand-in for the FastAPI app behind the middleware: keeps what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def fast_path(client: TestClient) -> tuple[ListedRecommendations, Route]:
    """The app's fast path in front of a `Route` instead of FastAPI."""
    route = Route()
    state = client.app.state  # type: ignore[attr-defined]
    listed = ListedRecommendations(
        route, holder=state.holder, api_keys=state.api_keys, min_fit=state.settings.min_fit
    )
    return listed, route


def post(
    asgi: ListedRecommendations, body: bytes, headers: dict[str, str] | list[tuple[str, str]]
) -> httpx.Response:
    async def posting() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://radar") as client:
            return await client.post("/v1/recommend", content=body, headers=headers)

    return asyncio.run(posting())


def test_covered_requests_never_reach_the_route(client: TestClient) -> None:
    listed, route = fast_path(client)
    lists = client.app.state.holder.current.lists  # type: ignore[attr-defined]
    items = 0
    for request in COVERED:
        response = post(listed, json.dumps(request).encode(), JSON)
        assert response.status_code == 200
        expected = lists.answer(
            request["streamer_id"],
            top_k=request.get("top_k", 10),
            min_fit=request.get("min_fit", 0.5),
        )
        assert response.content == expected
        items += len(response.json()["items"])
    assert route.bodies == [] and items > 0


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"streamer_id": "h0002"}', {"Content-Type": "application/json"}),
        (b'{"streamer_id": "h0002"}', {**JSON, "X-API-Key": "wrong"}),
        (b'{"streamer_id": "h0002"}', {**JSON, "Content-Type": "text/plain"}),
        (b'{"streamer_id": "h0002", "top_k": 0}', JSON),
        (b'{"streamer_id": "h0002", "extra": 1}', JSON),
        (b'{"streamer_id": "nobody"}', JSON),
        (b'{"streamer_id": ', JSON),
    ],
)
def test_everything_else_reaches_the_route_whole(
    client: TestClient, body: bytes, headers: dict[str, str]
) -> None:
    listed, route = fast_path(client)
    response = post(listed, body, headers)
    assert response.status_code == 299
    assert route.bodies == [body]


def test_a_repeated_key_is_read_as_the_route_reads_it(client: TestClient) -> None:
    listed, route = fast_path(client)
    body = b'{"streamer_id": "h0002"}'
    headers = [("Content-Type", "application/json"), ("X-API-Key", "wrong"), ("X-API-Key", KEY)]
    assert post(listed, body, headers).status_code == 299  # the first key counts: the route's
    assert route.bodies == [body]
    assert client.post("/v1/recommend", content=body, headers=headers).status_code == 401


def test_scored_requests_never_reach_the_route(client: TestClient) -> None:
    """Requests the lists do not answer are scored on the fast path too."""
    listed, route = fast_path(client)
    for request in SCORED:
        response = post(listed, json.dumps(request).encode(), JSON)
        assert response.status_code == 200
        assert response.json()["streamer_id"] == request["streamer_id"]
    assert route.bodies == []


def test_fast_and_routed_answers_are_identical(client: TestClient, trained_home: Path) -> None:
    routed = create_app(Settings(home=trained_home, api_keys=KEY, min_fit=0.5))
    routed.user_middleware = [
        layer for layer in routed.user_middleware if layer.cls is not ListedRecommendations
    ]
    with TestClient(routed) as slow:
        for request in COVERED + SCORED:
            answers = [c.post("/v1/recommend", json=request, headers=JSON) for c in (client, slow)]
            assert [answer.status_code for answer in answers] == [200, 200]
            assert answers[0].content == answers[1].content
            assert answers[0].headers["content-type"] == answers[1].headers["content-type"]


def test_a_request_a_list_cannot_answer_leaves_the_list_alone(client: TestClient) -> None:
    """A host's list that cannot answer a request (filters that keep no head of it) is not
    recomputed for it: the request is scored, the list stays as it was made."""
    lists = client.app.state.holder.current.lists  # type: ignore[attr-defined]
    host = "h0002"
    body = {"streamer_id": host, "top_k": 5, "filters": {"price_max": 1.0}}
    rules = RecommendRequest.model_validate(body).rules()
    assert lists.answer(host, top_k=5, min_fit=0.5, filters=rules) is None
    made, recomputed = lists._lists[host].made_at, lists.recomputed
    for _ in range(3):
        response = client.post("/v1/recommend", headers=JSON, json=body)
        assert response.status_code == 200
    assert lists.recomputed == recomputed
    assert lists._lists[host].made_at == made
