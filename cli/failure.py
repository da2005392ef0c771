"""How a failed `radar` command is reported: one line on stderr (or, with `--json`, a JSON
object on stdout) and the exit code of its kind of failure (`radar.errors.EXIT_STATUSES`).

An expected failure (a `RadarError`, a usage error, an invalid `RADAR_*` setting) says what
is wrong and what to do. An unexpected exception says which it was and where its full
traceback went: appended to `RADAR_HOME/logs/errors.log` (the temporary folder when the
home cannot be written), and printed too when `RADAR_DEBUG=1`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from radar.errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ExitStatus,
    RadarError,
    SettingsError,
    exit_status,
)

LOG_NAME = Path("logs") / "errors.log"
MAX_MESSAGE_CHARS = 300


def wants_json(args: list[str]) -> bool:
    """Whether the command line asks for JSON output (`--json` before any `--`)."""
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def report_failure(error: BaseException, *, as_json: bool, console: Console) -> int:
    """Tell the person (or the script) what went wrong; return the exit code."""
    if isinstance(error, typer.TyperException):  # a usage error, shown as typer shows it
        if as_json:
            usage = error.exit_code == EXIT_USAGE.code
            _print_json(EXIT_USAGE if usage else EXIT_FAILED, error.format_message())
        else:
            from typer import rich_utils

            rich_utils.rich_format_error(error)  # type: ignore[arg-type]
        return error.exit_code
    if isinstance(error, typer.Abort | KeyboardInterrupt):
        return _report(EXIT_INTERRUPTED, "stopped", as_json=as_json, console=console)
    if isinstance(error, ValidationError) and error.title == "Settings":
        error = _settings_error(error)
    if isinstance(error, RadarError):
        return _report(exit_status(error), str(error), as_json=as_json, console=console)
    return _report_unexpected(error, as_json=as_json, console=console)


def _report(status: ExitStatus, message: str, *, as_json: bool, console: Console) -> int:
    from radar.redact import mask_urls_in  # SQLAlchemy: imported only when something failed

    message = mask_urls_in(message)
    if as_json:
        _print_json(status, message)
    else:
        console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return status.code


def _report_unexpected(error: BaseException, *, as_json: bool, console: Console) -> int:
    from radar.redact import mask_urls_in

    details = mask_urls_in("".join(traceback.format_exception(error)))
    log = _append_to_log(details)
    if os.environ.get("RADAR_DEBUG") == "1":
        sys.stderr.write(details)
    summary = mask_urls_in(str(error).strip().splitlines()[0] if str(error).strip() else "")
    if len(summary) > MAX_MESSAGE_CHARS:
        summary = summary[:MAX_MESSAGE_CHARS] + " …"
    message = f"unexpected {type(error).__name__}" + (f": {summary}" if summary else "")
    if as_json:
        _print_json(EXIT_INTERNAL, message, log=str(log) if log else None)
        return EXIT_INTERNAL.code
    where = f"the full traceback is in {log}" if log else "no log could be written"
    console.print(
        f"[bold red]error:[/] {escape(message)} ({where}; RADAR_DEBUG=1 prints it here)",
        highlight=False,
    )
    return EXIT_INTERNAL.code


def _append_to_log(details: str) -> Path | None:
    """Append the traceback to the error log; the log's path, or None if none is writable."""
    home = Path(os.environ.get("RADAR_HOME") or ".radar").absolute()
    entry = f"--- {datetime.now(UTC).isoformat(timespec='seconds')} radar {' '.join(sys.argv[1:])}"
    for log in (home / LOG_NAME, Path(tempfile.gettempdir()) / "radar-errors.log"):
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as file:
                file.write(f"{entry}\n{details}\n")
        except OSError:
            continue
        return log
    return None


def _settings_error(error: ValidationError) -> SettingsError:
    first = error.errors()[0]
    names = ", ".join(f"RADAR_{str(part).upper()}" for part in first["loc"]) or "a setting"
    more = error.error_count() - 1
    return SettingsError(
        f"{names} is invalid: {first['msg']}; fix or unset the environment variable"
        + (f" ({more} more invalid setting(s))" if more else "")
    )


def _print_json(status: ExitStatus, message: str, **extra: str | None) -> None:
    body = {"code": status.name, "message": message, "exit_code": status.code}
    body.update({key: value for key, value in extra.items() if value is not None})
    typer.echo(json.dumps({"error": body}, ensure_ascii=False))
