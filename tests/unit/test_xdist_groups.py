"""`--dist loadgroup` keeps a group on one worker: an `xdist_group` mark, and the tests on
a module-scoped fixture (`tests.xdist_groups`), in a real `pytest -n 2` run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTEST = (sys.executable, "-m", "pytest")
CONFTEST = """
import pytest

from tests.xdist_groups import group_by_module_fixture, show_groups_to_xdist


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    group_by_module_fixture(items)
    show_groups_to_xdist(config, items)
"""
ON_A_FIXTURE = """
import time

import pytest


@pytest.fixture(scope="module")
def built():
    return 1


@pytest.mark.parametrize("case", range(8))
def test_fixture(built, case):
    time.sleep(0.1)
"""
MARKED = """
import time

import pytest


@pytest.mark.xdist_group("marked")
@pytest.mark.parametrize("case", range(8))
def test_marked(case):
    time.sleep(0.1)


@pytest.mark.parametrize("case", range(8))
def test_loose(case):
    time.sleep(0.1)
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    for name, text in {
        "conftest.py": CONFTEST,
        "test_on_a_fixture.py": ON_A_FIXTURE,
        "test_marked.py": MARKED,
    }.items():
        (tmp_path / name).write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*PYTEST, "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    workers = defaultdict(set)
    for worker, test in re.findall(r"\[(gw\d)\] \[ *\d+%\] PASSED (\S+)", done.stdout):
        workers[re.sub(r"\[.*", "", test)].add(worker)
    assert len(workers["test_on_a_fixture.py::test_fixture"]) == 1, workers
    assert len(workers["test_marked.py::test_marked"]) == 1, workers
    assert set().union(*workers.values()) == {"gw0", "gw1"}, workers  # both had work
