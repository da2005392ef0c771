"""synced_file: a new file, synced and readable by all; never over an existing one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from radar.atomic import sync_directory, synced_file


def test_a_new_file_synced_and_readable_by_all(tmp_path: Path) -> None:
    path = tmp_path / "week.csv"
    with synced_file(path) as file:
        file.write(b"week\n")
    sync_directory(tmp_path)
    assert path.read_bytes() == b"week\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "week.csv"
    path.write_bytes(b"published")
    with pytest.raises(FileExistsError), synced_file(path):
        pass
    assert path.read_bytes() == b"published"
