"""The quarantine: rows that could not be loaded, each kept whole with its reason.

Files are written as `<table>.jsonl.part` and renamed only once the load has committed,
so a failed run leaves no quarantine behind that describes rows it never processed. Each
line is standard JSON (no `NaN` tokens, no Python reprs). Every writer holds a shared lock
on `<root>/.lock` while it lives; a run that finds no other writer alive removes the
`.part` files and empty folders a killed run left behind.
"""

from __future__ import annotations

import fcntl
import json
import math
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

_FLOAT_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}


class QuarantineWriter:
    """Appends rejected rows to `<folder>/<table>.jsonl`, one JSON object a line."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handles: dict[str, IO[str]] = {}
        self._lock = _hold_and_clean(folder.parent)

    def add(self, table: str, source: str, line: int, reason: str, row: dict[str, Any]) -> None:
        """Keep one rejected row: where it came from, why, and all its values."""
        handle = self._handles.get(table)
        if handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = self._part(table).open("w", encoding="utf-8")
            self._handles[table] = handle
        entry = {"table": table, "file": source, "line": line, "reason": reason, "row": _safe(row)}
        handle.write(json.dumps(entry, ensure_ascii=False, allow_nan=False) + "\n")

    def commit(self) -> list[Path]:
        """Close and publish the files; returns their paths."""
        published = []
        for table, handle in self._handles.items():
            handle.close()
            final = self.folder / f"{table}.jsonl"
            self._part(table).replace(final)
            published.append(final)
        self._handles.clear()
        self._release()
        return published

    def discard(self) -> None:
        """Close and delete the unpublished files (the load failed)."""
        for table, handle in self._handles.items():
            handle.close()
            self._part(table).unlink(missing_ok=True)
        self._handles.clear()
        if self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()
        self._release()

    def _part(self, table: str) -> Path:
        return self.folder / f"{table}.jsonl.part"

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _hold_and_clean(root: Path) -> IO[bytes] | None:
    """A shared lock on the quarantine root, taken after removing a killed run's leftovers
    if no other writer holds it."""
    root.mkdir(parents=True, exist_ok=True)
    lock = (root / ".lock").open("ab")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another run is writing: its files are not leftovers
    else:
        _remove_leftovers(root)
    fcntl.flock(lock, fcntl.LOCK_SH)
    return lock


def _remove_leftovers(root: Path) -> None:
    for part in root.glob("*/*.jsonl.part"):
        part.unlink(missing_ok=True)
    for folder in root.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _safe(value: Any) -> Any:
    """A row's values as standard JSON, nothing lost: undecodable bytes (surrogate escapes,
    non-UTF-8 binary) become visible `\\xNN` escapes, NaN and infinities their names."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, float) and not math.isfinite(value):
        return _FLOAT_NAMES.get(value, "NaN")
    if isinstance(value, dict):
        return {str(key): _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)
