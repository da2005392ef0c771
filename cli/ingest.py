"""`radar ingest`: validate and load a folder of tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.render import print_ingest_report, table_progress
from cli.store import open_settings_store
from radar.settings import Settings

if TYPE_CHECKING:
    from radar.ingest import IngestReport


def ingest(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="folder of tables")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print counts as JSON")] = False,
) -> None:
    """Validate and load (upsert) the tables in DIRECTORY; bad rows go to the quarantine."""
    report = ingest_with_progress(Settings(), directory, show_progress=not as_json)
    if as_json:
        counts: dict[str, dict[str, object]] = {
            name: dict(table.as_contract()) for name, table in report.tables.items()
        }
        for name, reason in report.refused.items():
            counts[name] = {"read": 0, "loaded": 0, "quarantined": 0, "error": reason}
        typer.echo(json.dumps(counts, ensure_ascii=False))
    else:
        print_ingest_report(report)
    if report.refused:
        raise typer.Exit(1)


def ingest_with_progress(
    settings: Settings, directory: Path, *, show_progress: bool
) -> IngestReport:
    """Load `directory` into the settings' store, with a bar per table on a terminal."""
    from radar.ingest import ingest_directory  # SQLAlchemy: only when the command runs

    engine = open_settings_store(settings)
    with table_progress(show=show_progress) as progress:
        return ingest_directory(
            directory,
            engine,
            quarantine_root=settings.quarantine_dir,
            max_text_chars=settings.max_text_chars(),
            progress=progress,
        )
