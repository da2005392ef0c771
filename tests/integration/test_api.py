"""The HTTP API against a real store and a real MLflow registry (on SQLite, and both on
PostgreSQL): every route's success, 401, 404, 422 and 503 (no champion yet), and one real
uvicorn process on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from radar.errors import RadarError
from radar.settings import Settings
from serving.app import create_app
from tests.homes import ON_POSTGRES_HOME, TrainedHome
from tests.integration.servers import running_server

KEY = "test-key-123"
HEADERS = {"X-API-Key": KEY}
ADMIN = "test-admin-key-456"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=ON_POSTGRES_HOME)]
)
def home(request: pytest.FixtureRequest) -> TrainedHome:
    if request.param == "sqlite":
        return TrainedHome(request.getfixturevalue("trained_home"))
    return request.getfixturevalue("postgres_trained_home")


@pytest.fixture(scope="module")
def client(home: TrainedHome) -> TestClient:
    with TestClient(create_app(home.settings(api_keys=KEY, admin_keys=ADMIN))) as test_client:
        yield test_client


def test_health_needs_no_key(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["model_version"] == "1"


def test_recommend(client: TestClient) -> None:
    response = client.post(
        "/v1/recommend", json={"streamer_id": "h0002", "top_k": 3, "min_fit": 0.0}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == "1" and body["state"] == "ready"
    assert len(body["items"]) == 3
    first = body["items"][0]
    assert {"rank", "product_id", "title", "fit", "calibrated", "reasons"} <= set(first)
    assert first["reasons"]["text"]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}])
def test_keys_are_required(client: TestClient, headers: dict[str, str]) -> None:
    for method, path, body in [
        ("post", "/v1/recommend", {"streamer_id": "h0002"}),
        ("get", "/v1/streamers/h0002/profile", None),
        ("post", "/v1/score", {"text": "口红"}),
        ("get", "/v1/model", None),
        ("post", "/v1/admin/reload", None),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, response.text)
        assert "X-API-Key" in response.json()["detail"]


def test_unknown_host_is_404(client: TestClient) -> None:
    response = client.post("/v1/recommend", json={"streamer_id": "nobody"}, headers=HEADERS)
    assert response.status_code == 404
    assert "unknown streamer 'nobody'" in response.json()["detail"]
    assert client.get("/v1/streamers/nobody/profile", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"streamer_id": "h0002", "top_k": 0},
        {"streamer_id": "h0002", "top_k": 1000},
        {"streamer_id": "h0002", "min_fit": 1.5},
        {"streamer_id": ""},
        {"streamer_id": "h0002", "extra": 1},
        {},
    ],
)
def test_invalid_input_is_422(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/v1/recommend", json=body, headers=HEADERS).status_code == 422


def test_profile(client: TestClient) -> None:
    body = client.get("/v1/streamers/h0002/profile", headers=HEADERS).json()
    assert body["state"] == "ready" and body["topics"]
    assert {"topic", "label", "weight", "top_words"} <= set(body["topics"][0])


def test_score_text_and_pairs(client: TestClient) -> None:
    text = client.post(
        "/v1/score", json={"text": "这款粉底液持妆控油吗", "top_k": 3}, headers=HEADERS
    ).json()
    assert len(text["products"]) == 3 and text["topics"]
    products = [p["product_id"] for p in text["products"]]
    pairs = client.post(
        "/v1/score", json={"streamer_id": "h0002", "product_ids": products}, headers=HEADERS
    ).json()
    assert [f["product_id"] for f in pairs["fits"]] == products
    assert all(0 <= f["fit"] <= 1 for f in pairs["fits"])
    missing = client.post(
        "/v1/score", json={"streamer_id": "h0002", "product_ids": ["nope"]}, headers=HEADERS
    )
    assert missing.status_code == 404
    neither = client.post("/v1/score", json={"top_k": 3}, headers=HEADERS)
    assert neither.status_code == 422


def test_model_and_reload(client: TestClient) -> None:
    body = client.get("/v1/model", headers=HEADERS).json()
    assert body["model_version"] == "1" and body["num_topics"] == 12
    assert "fit_holdout_ece" in body["evaluation"]
    reload = client.post("/v1/admin/reload", headers={"X-API-Key": ADMIN})
    assert reload.json()["model_version"] == "1"
    assert client.post("/v1/admin/reload", headers=HEADERS).status_code == 403


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    big = {"text": "口" * 70_000}
    assert client.post("/v1/score", json=big, headers=HEADERS).status_code == 413
    chunks = iter([b'{"text": "', "口".encode() * 30_000, b'"}'])  # no Content-Length
    chunked = client.post("/v1/score", content=chunks, headers=HEADERS)
    assert chunked.status_code == 413, chunked.text
    small = iter([b'{"text": ', '"口红"}'.encode()])
    json_headers = {**HEADERS, "Content-Type": "application/json"}
    assert client.post("/v1/score", content=small, headers=json_headers).status_code == 200


def test_openapi_is_served(client: TestClient) -> None:
    assert "/v1/recommend" in client.get("/openapi.json").json()["paths"]


def test_no_champion_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(home=tmp_path, api_keys=KEY))) as empty:
        health = empty.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "no_model"
        response = empty.post("/v1/recommend", json={"streamer_id": "h0002"}, headers=HEADERS)
        assert response.status_code == 503
        assert "radar train" in response.json()["detail"]


def test_no_keys_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(RadarError, match="no API keys"):
        create_app(Settings(home=tmp_path))


def test_a_real_server_on_loopback(home: TrainedHome) -> None:
    with running_server(home.home, RADAR_API_KEYS=KEY, **home.environment) as base:
        response = httpx.post(
            f"{base}/v1/recommend",
            json={"streamer_id": "h0002", "min_fit": 0.0},
            headers=HEADERS,
            timeout=30,
        )
        assert response.status_code == 200 and response.json()["items"]
        assert response.json()["model_version"] == "1"
        assert (
            httpx.post(
                f"{base}/v1/recommend", json={"streamer_id": "h0002"}, timeout=30
            ).status_code
            == 401
        )
