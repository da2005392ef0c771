"""The `radar` command: its commands assembled, and the console-script entry point."""

from __future__ import annotations

import logging
import os
import sys

import typer

from cli import (
    batch,
    demo,
    evaluate,
    generate,
    ingest,
    monitor,
    promote,
    recommend,
    serve,
    train,
)
from cli.failure import report_failure, wants_json
from cli.render import error_console
from radar.settings import Settings, ensure_home

HOME_WHEN_USED = ("generate", "train", "promote")
"""Commands that check RADAR_HOME themselves, only when their options make them use it."""

app = typer.Typer(
    help="选品雷达 selection radar: which new products fit each live-stream host.",
    no_args_is_help=True,
    add_completion=False,
)
for command in (
    generate.generate,
    ingest.ingest,
    demo.demo,
    train.train,
    recommend.recommend,
    evaluate.evaluate,
    batch.batch,
    serve.serve,
    promote.promote,
    monitor.monitor,
):
    app.command()(command)


@app.callback()
def _usable_home(context: typer.Context) -> None:
    # no docstring: it would be the help of `radar` itself
    if context.invoked_subcommand not in HOME_WHEN_USED:
        ensure_home(Settings().home)


def main() -> None:
    """Console-script entry point: configure logging and run; a failure ends in one line
    (a JSON object with `--json`) and its exit code (`radar.errors.EXIT_STATUSES`)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line per step
    args = sys.argv[1:]
    try:
        code = app(args=args, standalone_mode=False)
    except (Exception, KeyboardInterrupt) as error:
        code = report_failure(error, as_json=wants_json(args), console=error_console)
    raise SystemExit(code if isinstance(code, int) else 0)
