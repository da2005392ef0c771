"""A small cache whose entries expire: what the service keeps of a host between requests."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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

    def put(self, key: str, value: T, *, at: float | None = None) -> None:
        """Keep `value` from now, or from `at` (a `time.monotonic()` moment before now: when
        what it was made from was read)."""
        with self._lock:
            self._entries[key] = (time.monotonic() if at is None else at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class TimedValue(Generic[T]):
    """A value read by `read` again once it is `seconds` old, with the moment it was read
    (taken before reading), safe across threads."""

    def __init__(self, read: Callable[[], T], seconds: float) -> None:
        self.read = read
        self.seconds = seconds
        self._value: tuple[T, float] | None = None
        self._lock = threading.Lock()

    def get(self) -> tuple[T, float]:
        """The value and the `time.monotonic()` moment it was read."""
        with self._lock:
            if self._value is None or time.monotonic() - self._value[1] >= self.seconds:
                at = time.monotonic()
                self._value = (self.read(), at)
            return self._value
