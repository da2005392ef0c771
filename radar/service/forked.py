"""Work shared out to forked processes, which inherit the parent's loaded state.

The batch scores chunks of hosts against one catalogue (`forked_map`); loading that
catalogue, the history and the model takes seconds and hundreds of MB. Forked workers
start with all of it already in memory (shared with the parent until written), so only
the chunk's results travel back. Before that, the batch asks the model registry (MLflow's
import alone takes two seconds) in a process of its own while it reads the store
(`forked_call`). Where fork is missing (or one worker is asked for) the work runs in
this process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_work: Callable[[Any], Any] | None = None
"""What the forked workers run: set in the parent just before they fork."""
_after_fork: Callable[[], None] | None = None
_PR_SET_PDEATHSIG = 1


def forked_map(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    workers: int,
    after_fork: Callable[[], None] | None = None,
) -> Iterator[Result]:
    """`work(item)` for each item, in `workers` forked processes, results in order; each
    worker first calls `after_fork` (to drop inherited connections, say). `work` is
    inherited, not pickled: a closure will do; items and results are pickled.

    A worker that dies (killed, out of memory) stops the map with `BrokenProcessPool`
    instead of hanging; when the map stops early (an error, Ctrl-C) the work not started
    is cancelled; workers die with this process."""
    global _work, _after_fork
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (work(item) for item in items)
        return
    _work, _after_fork = work, after_fork
    pool = ProcessPoolExecutor(
        min(workers, len(items)), mp_context=multiprocessing.get_context("fork"), initializer=_start
    )
    try:
        yield from pool.map(_run, items)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _work = _after_fork = None


@contextmanager
def forked_call(work: Callable[..., Result], *args: Any) -> Iterator[Callable[[], Result]]:
    """Start `work(*args)` in a forked process while this one goes on (`work` and `args`
    are pickled: a module-level function). The context gives a function that waits for
    the result (or raises the error); leaving the context waits for the process. Where
    fork is missing, `work` runs when its result is asked for."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield partial(work, *args)
        return
    with ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("fork"), initializer=_start
    ) as pool:
        yield pool.submit(work, *args).result


def _start() -> None:
    if sys.platform == "linux":  # no orphans: a worker gets SIGTERM when its parent dies
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if _after_fork is not None:
        _after_fork()


def _run(item: Any) -> Any:
    assert _work is not None, "forked_map's work is set before its workers fork"
    return _work(item)
