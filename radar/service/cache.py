"""A small cache whose entries expire: what the service keeps of a host between requests."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedCache(Generic[T]):
    """Values kept for `seconds` after they were put (read again after that), at most
    `max_entries` of them (the least recently used go first), safe across threads."""

    def __init__(self, seconds: float, *, max_entries: int = 2_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> T | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] >= self.seconds:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
