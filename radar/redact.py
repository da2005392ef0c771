"""Keeping secrets out of messages and logs: passwords in URLs are masked."""

from __future__ import annotations

import logging
import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^/\s:@]*):[^/\s@]+@")


def mask_url(url: str) -> str:
    """`url` with its password replaced by ***; any other string's `user:password@` too."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return mask_urls_in(url)
    if parsed.password is None:
        return mask_urls_in(url)
    return parsed.render_as_string(hide_password=True)


def mask_urls_in(text: str) -> str:
    """Every `scheme://user:password@` in `text` with the password replaced by ***."""
    return _CREDENTIALS.sub(lambda match: f"{match['scheme']}{match['user']}:{MASK}@", text)


class MaskPasswords(logging.Filter):
    """A logging filter that masks passwords in URLs of every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_urls_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
