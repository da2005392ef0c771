"""The service's cache of hosts: entries expire, and it never holds more than its bound."""

from __future__ import annotations

import time

from radar.service.cache import TimedCache


def test_the_least_recently_used_entries_go_first() -> None:
    cache: TimedCache[int] = TimedCache(60, max_entries=3)
    for number, key in enumerate("abcd"):
        cache.put(key, number)
        if key == "b":
            assert cache.get("a") == 0  # a is used again: b is now the oldest
    assert len(cache) == 3
    assert cache.get("b") is None and cache.get("a") == 0 and cache.get("d") == 3


def test_entries_expire() -> None:
    cache: TimedCache[str] = TimedCache(0.05)
    cache.put("h1", "profile")
    assert cache.get("h1") == "profile"
    time.sleep(0.06)
    assert cache.get("h1") is None
