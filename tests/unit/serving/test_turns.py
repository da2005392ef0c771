"""Scored requests run in the event loop one per turn of it: whatever else is ready (a
socket read, `/health`) runs between two of them, not after all that are queued."""

from __future__ import annotations

import asyncio
from itertools import pairwise

from serving.turns import ScoringTurns


def test_the_loop_turns_between_two_scored_requests() -> None:
    events: list[str] = []

    async def main() -> None:
        turns = ScoringTurns()

        async def other_work() -> None:  # another request, ready at every turn
            for _ in range(8):
                events.append("other")
                await asyncio.sleep(0)

        def scoring(name: str) -> str:
            events.append(name)
            return name

        other = asyncio.create_task(other_work())
        answers = await asyncio.gather(*(turns.run(lambda n=n: scoring(n)) for n in "abc"))
        await other
        assert answers == ["a", "b", "c"]  # first come, first served

    asyncio.run(main())
    scored = [i for i, event in enumerate(events) if event != "other"]
    assert [events[i] for i in scored] == ["a", "b", "c"]
    assert all(later - earlier > 1 for earlier, later in pairwise(scored)), events
