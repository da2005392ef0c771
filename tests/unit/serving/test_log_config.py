"""The server's log handler masks URL passwords in messages and in tracebacks."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest

from serving.log_config import server_log_config

URL = "postgresql+psycopg://radar:S3cretPassw0rd@db.internal:5432/mlflow"


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The server's logging config writing into a buffer (restored afterwards)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    config = server_log_config()
    config["handlers"]["stderr"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    root.handlers, root.level = saved[0], saved[1]


def test_passwords_are_masked_in_messages_and_tracebacks(log: io.StringIO) -> None:
    third_party = logging.getLogger("sqlalchemy.pool")
    third_party.warning("cannot reach %s", URL)
    try:
        raise ConnectionError(f"connection to {URL} refused")
    except ConnectionError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    text = log.getvalue()
    assert "S3cretPassw0rd" not in text
    assert text.count("radar:***@db.internal") == 2
    assert "Traceback" in text


def test_the_access_log_is_at_info(log: io.StringIO) -> None:
    logging.getLogger("radar.access").info("GET /health 200 1.0 ms")
    logging.getLogger("mlflow.store").info("chatter")
    assert log.getvalue().count("\n") == 1 and "GET /health 200" in log.getvalue()
