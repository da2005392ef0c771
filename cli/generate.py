"""`radar generate`: write the seeded demo data set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.render import console, counts
from radar.demo.generator import generate_demo_data
from radar.settings import Settings, ensure_home


def generate(
    out: Annotated[
        Path | None, typer.Option(help="folder to write (default $RADAR_HOME/demo-data)")
    ] = None,
    hosts: Annotated[int, typer.Option(min=1)] = 48,
    products: Annotated[int, typer.Option(min=1)] = 960,
    seed: int = 7,
    weeks: Annotated[int, typer.Option(min=1)] = 12,
    comments_per_session: Annotated[int, typer.Option(min=0)] = 25,
) -> None:
    """Write the seeded demo data set (hosts, products, transcripts, comments, placements)."""
    if out is None:
        ensure_home(Settings().home)
    folder = out or Settings().demo_data_dir
    with console.status(f"generating demo data into {folder} …"):
        rows = generate_demo_data(
            folder,
            hosts=hosts,
            products=products,
            seed=seed,
            weeks=weeks,
            comments_per_session=comments_per_session,
        )
    console.print(f"wrote {folder}: " + counts(rows))
