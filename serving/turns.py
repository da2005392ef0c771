"""Scored requests on the fast paths run in the event loop, one per turn of the loop.

A scored request holds the interpreter lock for nearly all of its 2 to 5 ms, so scoring
threads did not run beside the event loop: they took turns with it, and each request
paid for the hop (a wake-up of the loop, written while holding the lock, and the lock
passed back and forth between threads), about a fifth of its CPU time at the scale
store. Here a request is scored in the loop itself, and only one per turn: between two
scored requests the loop reads the sockets again, so `/health`, the precomputed lists
and new connections wait for one scored request at most, not for all that are queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ScoringTurns:
    """Runs blocking scoring work in the event loop, one call per turn, first come
    first served."""

    def __init__(self) -> None:
        self._turn = asyncio.Lock()  # FIFO: bound to the loop on first use

    async def run(self, work: Callable[[], T]) -> T:
        """`work()`, once the calls queued before it have run, after a turn of the loop."""
        async with self._turn:
            await asyncio.sleep(0)  # the loop reads its sockets before this request's turn
            return work()
