"""A small cache whose entries expire: what the service keeps of a host between requests."""

from __future__ import annotations

import time
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedCache(Generic[T]):
    """Values kept for `seconds` after they were put (read again after that)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, T]] = {}

    def get(self, key: str) -> T | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] >= self.seconds:
            return None
        return entry[1]

    def put(self, key: str, value: T) -> None:
        self._entries[key] = (time.monotonic(), value)
