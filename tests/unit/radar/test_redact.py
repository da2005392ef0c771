"""Passwords never reach a message or a log line."""

from __future__ import annotations

import logging

import pytest

from radar.redact import MaskPasswords, mask_url, mask_urls_in

SECRET = "s3cr3t-PASS"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://radar:{SECRET}@127.0.0.1:55432/mlflow",
        f"mysql://u:{SECRET}@db/x?charset=utf8",
        f"http://user:{SECRET}@tracking.example/api",
    ],
)
def test_a_password_in_a_url_is_masked(url: str) -> None:
    masked = mask_url(url)
    assert SECRET not in masked
    assert "***" in masked


def test_a_url_without_password_is_unchanged() -> None:
    assert mask_url("sqlite:////tmp/x/mlflow.db") == "sqlite:////tmp/x/mlflow.db"


def test_urls_inside_text_are_masked() -> None:
    text = f"could not reach postgresql://radar:{SECRET}@localhost/db: refused"
    assert mask_urls_in(text) == "could not reach postgresql://radar:***@localhost/db: refused"


def test_the_log_filter_masks_formatted_messages(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("radar.test.redact")
    logger.addFilter(MaskPasswords())
    with caplog.at_level(logging.WARNING, logger="radar.test.redact"):
        logger.warning("store %s failed", f"postgresql://radar:{SECRET}@h/db")
    assert SECRET not in caplog.text
    assert "radar:***@h/db" in caplog.text
