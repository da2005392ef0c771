"""Forked workers: results in order, errors and dead workers reported, state inherited;
a forked call runs beside its caller."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from radar.service.forked import forked_call, forked_map

INHERITED = {"base": 0}


def square_plus_base(item: int) -> tuple[int, int]:
    return item * item + INHERITED["base"], os.getpid()


def test_results_come_back_in_order_from_forked_processes() -> None:
    INHERITED["base"] = 101  # set after import, before the fork: the workers see it
    results = list(forked_map(square_plus_base, list(range(20)), workers=2))
    assert [value for value, _ in results] == [i * i + 101 for i in range(20)]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_worker_runs_in_this_process() -> None:
    results = list(forked_map(square_plus_base, [1, 2], workers=1))
    assert {pid for _, pid in results} == {os.getpid()}


def fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError("three")
    return item


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="three"):
        list(forked_map(fail_on_three, list(range(6)), workers=2))


def die_on_two(item: int) -> int:
    if item == 2:
        os._exit(1)  # killed, out of memory: no exception, the process is gone
    return item


def test_a_dead_worker_stops_the_map_instead_of_hanging() -> None:
    with pytest.raises(BrokenProcessPool):
        list(forked_map(die_on_two, list(range(6)), workers=2))


def test_a_forked_call_runs_beside_the_caller() -> None:
    with forked_call(square_plus_base, 7) as result:
        here = os.getpid()  # the caller goes on meanwhile
        value, pid = result()
    assert value == 49 + INHERITED["base"] and pid != here


def test_a_forked_call_reports_its_error() -> None:
    with forked_call(fail_on_three, 3) as result, pytest.raises(ValueError, match="three"):
        result()
