"""Atomic writes: a reader sees the old folder or the new one, never half of either."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder beside `target`; on success it replaces `target`
    (the old one is moved aside first, then removed); on failure it is deleted."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield staging
        if target.exists():
            retired = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(retired)
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextmanager
def synced_file(path: Path) -> Iterator[BinaryIO]:
    """Yield a new binary file at `path`; on success it is flushed, synced to disk and
    made readable by all (for a caller that publishes it by a rename of its own)."""
    with open(path, "xb") as file:
        yield file
        file.flush()
        os.fsync(file.fileno())
    os.chmod(path, 0o644)


def sync_directory(folder: Path) -> None:
    """Make the entries of `folder` (files created, renamed or removed) durable."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
