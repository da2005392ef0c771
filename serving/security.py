"""API keys: every route but /health needs `X-API-Key`, and /v1/admin/* an admin key;
keys are compared in constant time and never logged."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated

from fastapi import HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from radar.errors import RadarError

API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="a key from RADAR_API_KEYS (or RADAR_ADMIN_KEYS, which /v1/admin/* needs)",
)
MISSING_KEY = "missing or wrong X-API-Key header: ask the radar's operators for a key"
NOT_ADMIN = "this key may not call /v1/admin/*: it needs a key from RADAR_ADMIN_KEYS"


def load_keys(
    inline: str | None, key_file: Path | None, *, setting: str = "RADAR_API_KEYS"
) -> tuple[str, ...]:
    """Keys from `setting` (comma-separated) and the file `<setting>_FILE` (one a line)."""
    keys = [key.strip() for key in (inline or "").split(",")]
    if key_file is not None:
        if not key_file.is_file():
            raise RadarError(f"{setting}_FILE {key_file} does not exist: fix or unset it")
        keys += [line.strip() for line in key_file.read_text(encoding="utf-8").splitlines()]
    return tuple(key for key in keys if key and not key.startswith("#"))


def load_api_keys(
    api_keys: str | None,
    api_keys_file: Path | None,
    admin_keys: str | None = None,
    admin_keys_file: Path | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keys every route accepts and the admin keys (which /v1/admin/* needs), from
    RADAR_API_KEYS(_FILE) and RADAR_ADMIN_KEYS(_FILE): an admin key is an ordinary key too.
    No keys at all (--insecure-dev) lets every request in."""
    admin = load_keys(admin_keys, admin_keys_file, setting="RADAR_ADMIN_KEYS")
    return load_keys(api_keys, api_keys_file) + admin, admin


async def require_api_key(
    request: Request, x_api_key: Annotated[str | None, Security(API_KEY_HEADER)] = None
) -> None:
    """FastAPI dependency: 401 unless the request carries a known key (or keys are off)."""
    if not key_is_known(request.app.state.api_keys, _header_bytes(x_api_key)):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=MISSING_KEY)


async def require_admin_key(
    request: Request, x_api_key: Annotated[str | None, Security(API_KEY_HEADER)] = None
) -> None:
    """FastAPI dependency: 401 without a known key, 403 with a key that is not an admin's."""
    accepted: tuple[str, ...] = request.app.state.api_keys
    admin: tuple[str, ...] = request.app.state.admin_keys
    given = _header_bytes(x_api_key)
    if not key_is_known(accepted, given):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=MISSING_KEY)
    if accepted and not any(_same(given, key) for key in admin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NOT_ADMIN)


def key_is_known(keys: tuple[str, ...], given: bytes | None) -> bool:
    """Whether `given` (the header's bytes) is one of `keys`, in constant time; any
    key will do when there are none (--insecure-dev)."""
    if not keys:
        return True
    return any(_same(given, key) for key in keys)


def _same(given: bytes | None, key: str) -> bool:
    return hmac.compare_digest(given or b"", key.encode())


def _header_bytes(value: str | None) -> bytes | None:
    """The header's bytes, as the ASGI server received them."""
    return None if value is None else value.encode("latin-1")
