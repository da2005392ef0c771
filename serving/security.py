"""API keys: every route but /health needs `X-API-Key`; keys are compared in constant
time and never logged."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated

from fastapi import Header, HTTPException, Request, status

from radar.errors import RadarError


def load_api_keys(inline: str | None, key_file: Path | None) -> tuple[str, ...]:
    """Keys from `RADAR_API_KEYS` (comma-separated) and `RADAR_API_KEYS_FILE` (one a line)."""
    keys = [key.strip() for key in (inline or "").split(",")]
    if key_file is not None:
        if not key_file.is_file():
            raise RadarError(f"RADAR_API_KEYS_FILE {key_file} does not exist")
        keys += [line.strip() for line in key_file.read_text(encoding="utf-8").splitlines()]
    return tuple(key for key in keys if key and not key.startswith("#"))


async def require_api_key(
    request: Request, x_api_key: Annotated[str | None, Header()] = None
) -> None:
    """FastAPI dependency: 401 unless the request carries a known key (or keys are off)."""
    given = None if x_api_key is None else x_api_key.encode("latin-1")  # the header's bytes
    if not key_is_known(request.app.state.api_keys, given):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong X-API-Key header: ask the radar's operators for a key",
        )


def key_is_known(keys: tuple[str, ...], given: bytes | None) -> bool:
    """Whether `given` (the header's bytes) is one of `keys`, in constant time; any
    key will do when there are none (--insecure-dev)."""
    if not keys:
        return True
    presented = given or b""
    return any(hmac.compare_digest(presented, key.encode()) for key in keys)
