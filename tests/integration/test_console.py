"""The operations console's page and routes against a real store and registry: the page
shell without a key and with no data or outside asset, every route behind the key and
bounded, host search, a host's weeks, the published week and its downloads; nothing
answered shows a path or SQL."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from radar.settings import Settings
from radar.store import open_store
from radar.store.reads import load_host_names
from serving.app import create_app
from tests.homes import ON_POSTGRES_HOME, TrainedHome
from tests.integration.batch_state import batch
from tests.integration.console_home import WEEK, published_home

KEY = "console-key-123"
HEADERS = {"X-API-Key": KEY}
ROUTES = [
    "/v1/streamers?q=h00",
    "/v1/streamers/h0002/weeks",
    "/v1/batch",
    "/v1/batch/download?format=csv",
]


@pytest.fixture(scope="module")
def home(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_home(trained_home, tmp_path_factory.mktemp("console") / "home")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=home, api_keys=KEY))) as test_client:
        yield test_client


def get(client: TestClient, path: str, home: Path, status: int = 200) -> bytes:
    """GET `path` with the key, expecting `status`; no answer names the home or SQL."""
    response = client.get(path, headers=HEADERS)
    assert response.status_code == status, (path, response.text[:500])
    for secret in (str(home).encode(), b"sqlite", b"SELECT", b"radar.db"):
        assert secret not in response.content, (path, secret)
    return response.content


def test_the_page_needs_no_key_shows_no_data_and_loads_nothing_from_outside(
    client: TestClient, home: Path
) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "选品雷达" in page.text and 'lang="zh-CN"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    names = load_host_names(open_store(Settings(home=home).resolved_database_url))
    assert not [name for name in names.values() if name in page.text]  # no data without a key
    assets = [link for link in re.findall(r'(?:src|href)="([^"]+)"', page.text) if link != "data:,"]
    assert assets and all(asset.startswith("/console/assets/") for asset in assets), assets
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200 and answer.content, asset
        assert not re.search(rb"https?://(?!www\.w3\.org/2000/svg)", answer.content), asset
    assert b"innerHTML" not in client.get("/console/assets/console.js").content


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}])
def test_every_console_route_needs_the_key(client: TestClient, headers: dict[str, str]) -> None:
    for path in ROUTES:
        response = client.get(path, headers=headers)
        assert response.status_code == 401, (path, response.text)
        assert "X-API-Key" in response.json()["detail"]


def test_hosts_are_found_by_id_and_by_name(client: TestClient, home: Path) -> None:
    names = load_host_names(open_store(Settings(home=home).resolved_database_url))
    found = client.get("/v1/streamers?q=h0002", headers=HEADERS).json()["items"]
    assert found[0] == {"streamer_id": "h0002", "streamer_name": names["h0002"]}
    part = names["h0003"][1:4]
    by_name = client.get("/v1/streamers", params={"q": part}, headers=HEADERS).json()["items"]
    assert "h0003" in [host["streamer_id"] for host in by_name]
    assert all(part in host["streamer_name"] or part in host["streamer_id"] for host in by_name)
    assert len(client.get("/v1/streamers?q=h&limit=2", headers=HEADERS).json()["items"]) == 2
    for wildcard in ("%", "_"):  # LIKE's wildcards are searched for, not obeyed
        assert client.get(f"/v1/streamers?q={wildcard}", headers=HEADERS).json()["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/streamers?q=",
        "/v1/streamers?q=" + "x" * 65,
        "/v1/streamers?q=h&limit=51",
        "/v1/streamers?q=h&limit=0",
        "/v1/streamers/h0002/weeks?weeks=27",
        "/v1/streamers/h0002/weeks?weeks=0",
        "/v1/batch?limit=501",
        "/v1/batch?week=2026-48",
        "/v1/batch/download?format=parquet",
        "/v1/batch/download?format=csv&week=../../radar.db",
    ],
)
def test_every_route_is_bounded(client: TestClient, home: Path, path: str) -> None:
    get(client, path, home, status=422)


def test_a_hosts_weeks_say_what_it_talks_about_and_what_fans_ask(
    client: TestClient, home: Path
) -> None:
    body = get(client, "/v1/streamers/h0002/weeks?weeks=3", home)
    weeks = json.loads(body)
    assert weeks["streamer_id"] == "h0002" and weeks["model_version"] == "1"
    assert weeks["summary"].startswith("近 ") and "主播主要在聊「" in weeks["summary"]
    assert 1 <= len(weeks["weeks"]) <= 3
    starts = [week["week_start"] for week in weeks["weeks"]]
    assert starts == sorted(starts)
    for week in weeks["weeks"]:
        assert re.fullmatch(r"\d{4}-W\d{2}", week["week"])
        for source in (week["talk"], week["fans"]):
            if source is not None:
                assert source["tokens"] > 0 and 1 <= len(source["topics"]) <= 3
                assert all(
                    topic["label"] and 0 <= topic["weight"] <= 1 for topic in source["topics"]
                )
    assert any(week["talk"] for week in weeks["weeks"]) and any(w["fans"] for w in weeks["weeks"])
    get(client, "/v1/streamers/nobody/weeks", home, status=404)


def test_the_published_week_its_hosts_and_its_files(client: TestClient, home: Path) -> None:
    batch = json.loads(get(client, "/v1/batch", home))
    assert batch["week"]["week"] == WEEK and [w["week"] for w in batch["weeks"]] == [WEEK]
    assert batch["downloads"] == ["csv", "xlsx"]
    assert batch["hosts_total"] == len(batch["hosts"]) > 0
    rows = sum(host["items"] + host["below_cut"] for host in batch["hosts"])
    assert rows == batch["week"]["row_count"]
    assert all(host["streamer_name"] for host in batch["hosts"])
    assert all(0.5 <= host["best_fit"] <= 1 for host in batch["hosts"] if host["items"])
    assert all(host["best_fit"] < 0.5 for host in batch["hosts"] if not host["items"])
    assert len(json.loads(get(client, "/v1/batch?limit=2", home))["hosts"]) == 2

    response = client.get(f"/v1/batch/download?format=csv&week={WEEK}", headers=HEADERS)
    assert response.status_code == 200
    assert f"recommendations-{WEEK}.csv" in response.headers["content-disposition"]
    assert (
        response.content
        == (Settings(home=home).batch_dir / f"recommendations-{WEEK}.csv").read_bytes()
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["week", "streamer_id", "streamer_name"]
    assert len(rows) - 1 == batch["week"]["row_count"]
    xlsx = get(client, "/v1/batch/download?format=xlsx", home)
    assert xlsx.startswith(b"PK")  # a zip: the workbook

    get(client, "/v1/batch?week=2020-W01", home, status=404)
    get(client, "/v1/batch/download?format=csv&week=2020-W01", home, status=404)


def test_no_published_week_is_404(trained_home: Path) -> None:
    with TestClient(create_app(Settings(home=trained_home, api_keys=KEY))) as fresh:
        for path in ("/v1/batch", "/v1/batch/download?format=xlsx"):
            answer = fresh.get(path, headers=HEADERS)
            assert answer.status_code == 404 and "radar batch" in answer.json()["detail"]


def test_openapi_declares_the_console_routes_key_and_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/v1/streamers": {"200", "401", "422"},
        "/v1/streamers/{streamer_id}/weeks": {"200", "401", "404", "422", "503"},
        "/v1/batch": {"200", "401", "404", "422"},
        "/v1/batch/download": {"200", "401", "404", "422"},
    }
    for path, codes in expected.items():
        operation = paths[path]["get"]
        assert operation["security"], path
        assert set(operation["responses"]) >= codes, (path, set(operation["responses"]))
    assert "/" not in paths  # the page is no API operation


@ON_POSTGRES_HOME
def test_the_console_reads_postgresql_too(
    own_postgres_home: TrainedHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in own_postgres_home.environment.items():
        monkeypatch.setenv(name, value)
    settings = own_postgres_home.settings(api_keys=KEY)
    batch(own_postgres_home.home, settings.batch_dir, min_fit=0.5)
    with TestClient(create_app(settings)) as on_postgres:
        found = on_postgres.get("/v1/streamers?q=H0002", headers=HEADERS).json()["items"]
        assert found[0]["streamer_id"] == "h0002"  # any case, the id first
        assert on_postgres.get("/v1/streamers?q=%", headers=HEADERS).json()["items"] == []
        week = on_postgres.get("/v1/batch", headers=HEADERS).json()
        assert week["week"]["week"] == WEEK and week["hosts_total"] > 0
        rows = sum(host["items"] + host["below_cut"] for host in week["hosts"])
        assert rows == week["week"]["row_count"]
        weeks = on_postgres.get("/v1/streamers/h0002/weeks", headers=HEADERS).json()
        assert weeks["weeks"] and weeks["summary"].startswith("近 ")
