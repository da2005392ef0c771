"""The files of a published week as the console offers them: found by week and format in
`$RADAR_HOME/batch/` (where `radar batch` writes by default), never by a path sent in."""

from __future__ import annotations

from pathlib import Path

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""The formats offered, with their media types (the Parquet file is for scripts)."""


def file_name(week: str, file_format: str) -> str:
    """The name `radar batch` gives the week's file of this format."""
    return f"recommendations-{week}.{file_format}"


def week_file(batch_dir: Path, week: str, file_format: str) -> Path | None:
    """The week's published file of `file_format` (a key of FORMATS), or None when
    there is none in `batch_dir` (the week was written elsewhere with --out, or not yet)."""
    path = batch_dir / file_name(week, file_format)
    return path if path.is_file() else None


def offered(batch_dir: Path, week: str) -> list[str]:
    """The formats of the week that can be downloaded."""
    return [name for name in FORMATS if week_file(batch_dir, week, name) is not None]
