"""What the API tells the public and what it logs: short fixed reasons in bodies, no URL
password anywhere, `/health` as probes read it, admin keys, non-finite numbers, OpenAPI's
security scheme and an offline `/docs` (issue 12, item 2)."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from radar.settings import Settings
from serving.app import create_app
from tests.integration.servers import free_port

KEY = "ordinary-key-1"
ADMIN = "admin-key-1"
PASSWORD = "S3cretPassw0rd"
CHAMPION = "champion"


def unreachable_registry(monkeypatch: pytest.MonkeyPatch) -> str:
    """An MLflow tracking server URL with a password, where nothing listens (one quick try)."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    return f"http://radar:{PASSWORD}@127.0.0.1:{free_port()}"


@pytest.fixture
def served_home(own_home: Path) -> Path:
    """A copy of the trained home, its champion (version 1) not yet in the model cache."""
    return own_home


@pytest.fixture(scope="module")
def client(trained_home: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=trained_home, api_keys=KEY, admin_keys=ADMIN))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def registry(home: Path) -> MlflowClient:
    uri = Settings(home=home).resolved_mlflow_tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def register_broken_version(home: Path) -> str:
    """A version 2 whose files do not exist, made champion: loading it fails."""
    client = registry(home)
    name = Settings(home=home).model_name
    version = client.create_model_version(name, source=str(home / "no-such-model")).version
    client.set_registered_model_alias(name, CHAMPION, str(version))
    return str(version)


def test_no_champion_is_503_no_model_without_paths(radar_home: Path) -> None:
    with TestClient(create_app(Settings(api_keys=KEY))) as client:
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json() == {
            "status": "no_model",
            "model_name": "selection-radar",
            "model_version": None,
            "reason": "no_champion",
            "lists_ready": False,
        }
        answer = client.post(
            "/v1/recommend", json={"streamer_id": "h1"}, headers={"X-API-Key": KEY}
        )
        assert answer.status_code == 503
        assert "radar train" in answer.json()["detail"]
        for response in (health, answer):
            assert str(radar_home) not in response.text and "sqlite" not in response.text


def test_an_unreachable_registry_leaks_no_password(
    radar_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = unreachable_registry(monkeypatch)
    settings = Settings(api_keys=KEY, admin_keys=ADMIN, mlflow_tracking_uri=uri)
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        assert health.status_code == 503
        # radar.service.registry reports an unreachable registry as "no champion" for now
        assert health.json()["reason"] in {"registry_unreachable", "no_champion"}
        responses = [health]
        for method, path, key in [
            ("post", "/v1/recommend", KEY),
            ("post", "/v1/score", KEY),
            ("get", "/v1/model", KEY),
            ("get", "/v1/streamers/h1/profile", KEY),
            ("post", "/v1/admin/reload", ADMIN),
        ]:
            body = {"streamer_id": "h1"} if path == "/v1/recommend" else {"text": "口红"}
            response = client.request(
                method, path, json=body if method == "post" else None, headers={"X-API-Key": key}
            )
            assert response.status_code == 503, (path, response.text)
            responses.append(response)
    for response in responses:
        assert PASSWORD not in response.text and "127.0.0.1" not in response.text


def test_a_degraded_server_gives_a_short_reason(served_home: Path) -> None:
    app = create_app(Settings(home=served_home, api_keys=KEY, admin_keys=ADMIN))
    with TestClient(app) as client:
        assert client.get("/health").json()["status"] == "ok"
        register_broken_version(served_home)
        reload = client.post("/v1/admin/reload", headers={"X-API-Key": ADMIN})
        health = client.get("/health")
        assert health.status_code == 200
        body = health.json()
        assert isinstance(body.pop("lists_ready"), bool)  # version 1's, made in the background
        assert body == {
            "status": "degraded",
            "model_name": "selection-radar",
            "model_version": "1",
            "reason": "model_load_failed",
        }
        reloaded = reload.json()
        assert isinstance(reloaded.pop("lists_ready"), bool)
        assert reloaded == body
        assert str(served_home) not in reload.text + health.text


def test_rolling_back_to_the_served_version_clears_degraded(served_home: Path) -> None:
    app = create_app(Settings(home=served_home, api_keys=KEY, admin_keys=ADMIN))
    with TestClient(app) as client:
        register_broken_version(served_home)
        app.state.holder.refresh()
        assert client.get("/health").json()["status"] == "degraded"
        registry(served_home).set_registered_model_alias("selection-radar", CHAMPION, "1")
        app.state.holder.refresh()
        health = client.get("/health").json()
        assert health["status"] == "ok" and health["model_version"] == "1"
        assert health.get("reason") is None


def test_a_failed_load_is_retried_at_the_next_poll(served_home: Path) -> None:
    (served_home / "models").write_text("not a folder: the download fails")
    settings = Settings(home=served_home, api_keys=KEY, model_poll_seconds=0.2)
    with TestClient(create_app(settings)) as client:
        first = client.get("/health")
        assert first.status_code == 503 and first.json()["reason"] == "model_load_failed"
        (served_home / "models").unlink()
        deadline = time.monotonic() + 30
        while client.get("/health").json()["status"] != "ok":
            assert time.monotonic() < deadline, "the failed load was not retried"
            time.sleep(0.1)
        assert client.get("/health").json()["model_version"] == "1"


def test_reload_needs_an_admin_key(client: TestClient) -> None:
    assert client.post("/v1/admin/reload").status_code == 401
    ordinary = client.post("/v1/admin/reload", headers={"X-API-Key": KEY})
    assert ordinary.status_code == 403
    assert "RADAR_ADMIN_KEYS" in ordinary.json()["detail"]
    admin = client.post("/v1/admin/reload", headers={"X-API-Key": ADMIN})
    assert admin.status_code == 200 and admin.json()["model_version"] == "1"
    assert client.get("/v1/model", headers={"X-API-Key": ADMIN}).status_code == 200


def test_admin_keys_come_from_a_file_too(trained_home: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "admin-keys"
    key_file.write_text("# operators\nfile-admin-key\n", encoding="utf-8")
    settings = Settings(home=trained_home, api_keys=KEY, admin_keys_file=key_file)
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/admin/reload", headers={"X-API-Key": KEY}).status_code == 403
        admin = client.post("/v1/admin/reload", headers={"X-API-Key": "file-admin-key"})
        assert admin.status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/recommend", b'{"streamer_id": "h0002", "min_fit": NaN}'),
        ("/v1/recommend", b'{"streamer_id": "h0002", "top_k": Infinity}'),
        ("/v1/recommend", b'{"streamer_id": NaN}'),
        ("/v1/score", b'{"text": -Infinity}'),
        ("/v1/score", b'{"text": "lipstick", "top_k": NaN}'),
    ],
)
def test_non_finite_numbers_are_422(client: TestClient, path: str, body: bytes) -> None:
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_openapi_declares_the_key_and_the_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert [scheme["name"] for scheme in schemes.values()] == ["X-API-Key"]
    assert all(
        scheme["type"] == "apiKey" and scheme["in"] == "header" for scheme in schemes.values()
    )
    paths = schema["paths"]
    assert "security" not in paths["/health"]["get"]
    assert set(paths["/health"]["get"]["responses"]) >= {"200", "503"}
    expected = {
        ("post", "/v1/recommend"): {"200", "401", "404", "422", "503"},
        ("get", "/v1/streamers/{streamer_id}/profile"): {"200", "401", "404", "422", "503"},
        ("post", "/v1/score"): {"200", "401", "404", "422", "503"},
        ("get", "/v1/model"): {"200", "401", "503"},
        ("post", "/v1/admin/reload"): {"200", "401", "403", "503"},
    }
    for (method, path), codes in expected.items():
        operation = paths[path][method]
        assert operation["security"], path
        assert set(operation["responses"]) >= codes, (path, set(operation["responses"]))


def test_docs_need_no_internet(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://", page.text) == []
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


def test_an_unexpected_failure_is_a_plain_500(served_home: Path) -> None:
    app = create_app(Settings(home=served_home, api_keys=KEY))
    with TestClient(app, raise_server_exceptions=False) as client:
        with sqlite3.connect(served_home / "radar.db") as store:
            store.execute("ALTER TABLE streamers RENAME TO streamers_gone")
        response = client.get("/v1/streamers/h-unseen/profile", headers={"X-API-Key": KEY})
    assert response.status_code == 500
    assert "streamers" not in response.text and "SELECT" not in response.text.upper()
    assert "h-unseen" not in response.text and str(served_home) not in response.text


def test_an_access_line_cannot_be_split(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="radar.access"):
        client.get("/nothing%0AGET%20/forged%20200", headers={"X-API-Key": KEY})
    lines = [record.getMessage() for record in caplog.records if record.name == "radar.access"]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("GET /nothing%0AGET%20/forged%20200 404 ")
    assert KEY not in lines[0]
