"""The quarantine: rows that could not be loaded, each kept whole with its reason.

Files are written as `<table>.jsonl.part` and renamed only once the load has committed,
so a failed run leaves no quarantine behind that describes rows it never processed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any


class QuarantineWriter:
    """Appends rejected rows to `<folder>/<table>.jsonl`, one JSON object a line."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handles: dict[str, IO[str]] = {}

    def add(self, table: str, source: str, line: int, reason: str, row: dict[str, Any]) -> None:
        """Keep one rejected row: where it came from, why, and all its values."""
        handle = self._handles.get(table)
        if handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = self._part(table).open("w", encoding="utf-8")
            self._handles[table] = handle
        entry = {"table": table, "file": source, "line": line, "reason": reason, "row": _safe(row)}
        handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def commit(self) -> list[Path]:
        """Close and publish the files; returns their paths."""
        published = []
        for table, handle in self._handles.items():
            handle.close()
            final = self.folder / f"{table}.jsonl"
            self._part(table).replace(final)
            published.append(final)
        self._handles.clear()
        return published

    def discard(self) -> None:
        """Close and delete the unpublished files (the load failed)."""
        for table, handle in self._handles.items():
            handle.close()
            self._part(table).unlink(missing_ok=True)
        self._handles.clear()
        if self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()

    def _part(self, table: str) -> Path:
        return self.folder / f"{table}.jsonl.part"


def _safe(value: Any) -> Any:
    """Undecodable bytes (surrogate escapes) become visible `\\xNN` escapes, nothing lost."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {str(key): _safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_safe(item) for item in value]
    return value
