"""The log of a real `radar serve` process: an access line per request (never the key),
`--no-access-log` to turn it off, and no URL password in any line (issue 12, item 2)."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import free_port, running_server

KEY = "log-test-key-42"
PASSWORD = "S3cretPassw0rd"


def serving(home: Path, log: Path, *flags: str, **env: str) -> AbstractContextManager[str]:
    """`radar serve` with its stderr in `log`, once it answers (with a model or not)."""
    return running_server(home, *flags, log=log, with_model=False, RADAR_API_KEYS=KEY, **env)


@pytest.fixture
def unreachable_registry() -> dict[str, str]:
    """RADAR_MLFLOW_TRACKING_URI with a password, where nothing listens (one quick try)."""
    return {
        "RADAR_MLFLOW_TRACKING_URI": f"http://radar:{PASSWORD}@127.0.0.1:{free_port()}",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "2",
    }


def test_the_log_has_access_lines_and_no_secrets(
    tmp_path: Path, unreachable_registry: dict[str, str]
) -> None:
    log = tmp_path / "server.log"
    with serving(tmp_path / "home", log, **unreachable_registry) as base:
        answers = [
            httpx.get(f"{base}/health"),
            httpx.post(
                f"{base}/v1/recommend",
                json={"streamer_id": "body-marker-7"},
                headers={"X-API-Key": KEY},
            ),
            httpx.get(f"{base}/v1/model", headers={"X-API-Key": "wrong"}),
        ]
    assert [answer.status_code for answer in answers] == [503, 503, 401]
    text = log.read_text(encoding="utf-8")
    assert "radar:***@127.0.0.1" in text  # the failed load is logged, its URL masked
    assert PASSWORD not in text and all(PASSWORD not in a.text for a in answers)
    assert KEY not in text and "body-marker-7" not in text  # neither the key nor the body
    assert re.search(r"GET /health 503 \d+\.\d+ ms", text), text
    assert re.search(r"POST /v1/recommend 503 \d+\.\d+ ms", text), text
    assert re.search(r"GET /v1/model 401 \d+\.\d+ ms", text), text


def test_no_access_log_turns_it_off(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serving(tmp_path / "home", log, "--no-access-log") as base:
        assert httpx.get(f"{base}/health").status_code == 503
    assert "GET /health" not in log.read_text(encoding="utf-8")
