"""`radar demo`: the main job end to end on embedded defaults, and weeks after training
for `radar monitor` to read."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from cli.batch import week_with_progress
from cli.ingest import ingest_with_progress
from cli.render import (
    console,
    counts,
    print_batch_summary,
    print_ingest_report,
    print_recommendations,
    print_training,
)
from cli.store import open_settings_store
from radar.demo import topic_labels_file
from radar.demo.generator import generate_demo_data
from radar.settings import Settings

DEMO_LISTS = 3  # hosts whose lists the demo prints


def demo(
    weeks_after: Annotated[
        int,
        typer.Option(
            min=0,
            help="weeks after training: each week's lists published, then that week's "
            "sessions and placements, some following the lists (for radar monitor)",
        ),
    ] = 2,
    drift: Annotated[
        bool,
        typer.Option(
            "--drift",
            help="in the second half of the weeks after training, the hosts of the "
            "biggest category speak a new vocabulary (radar monitor then says act)",
        ),
    ] = False,
) -> None:
    """The main job end to end on embedded defaults: generate, ingest, train, simulate the
    weeks after training, recommend, write this week's batch lists."""
    # MLflow and the model's code: imported when the command runs, so `radar --help` is quick
    from radar.service.answers import sample_lists
    from serving.champion import champion_recommender
    from training.run import run_training

    settings = Settings()
    folder = settings.demo_data_dir
    with console.status("generating the demo data set …"):
        rows = generate_demo_data(folder)
    console.print(f"[bold]1/6 generate[/] {folder}: " + counts(rows))
    console.print("[bold]2/6 ingest[/]")
    print_ingest_report(ingest_with_progress(settings, folder, show_progress=True))
    registry = settings.resolved_mlflow_tracking_uri
    console.print("[bold]3/6 train[/] topic models, tracked in " + registry)
    outcome = run_training(
        open_settings_store(settings),
        tracking_uri=registry,
        model_name=settings.model_name,
        experiment=settings.experiment_name,
        labels_path=topic_labels_file(),
        min_fit=settings.min_fit,
        on_step=lambda message: console.print(f"  {message}"),
    )
    print_training(settings.model_name, outcome)
    console.print(
        f"[bold]4/6 weeks after training[/] {weeks_after}: each week's lists, then "
        "placements that follow some of them (`radar monitor` reads them)"
    )
    simulate_weeks_after(settings, weeks_after, drift=drift)
    console.print(
        f"[bold]5/6 recommend[/] the first {DEMO_LISTS} hosts with a list, and the first "
        f"without one (fit ≥ {settings.min_fit:.2f}; `radar recommend ID` for any other)"
    )
    loaded, recommender = champion_recommender(
        open_settings_store(settings),
        tracking_uri=registry,
        model_name=settings.model_name,
        cache=settings.model_cache_dir,
        settings=settings,
    )
    for result in sample_lists(
        recommender, top_k=5, min_fit=settings.min_fit, with_list=DEMO_LISTS, without=1
    ):
        print_recommendations(result, loaded.version)
    console.print("[bold]6/6 batch[/] this week's lists for every host")
    print_batch_summary(week_with_progress(settings, week=None, top_k=10, min_fit=None, out=None))
    if weeks_after:
        console.print("next: `radar monitor` (is the radar still working?)")


def simulate_weeks_after(settings: Settings, weeks: int, *, drift: bool) -> None:
    """`weeks` weeks after the store's data, one at a time: the week's lists published
    (`radar batch --week`), then its sessions and placements generated from them
    (`radar.demo.followup`: operations follow some items, which convert better) and
    ingested. With `drift`, the second half's biggest category speaks a new vocabulary."""
    # SQLAlchemy and NumPy: imported when the command runs, so `radar --help` stays quick
    from radar.demo.followup import biggest_category, generate_followup, iso_week, next_monday

    engine = open_settings_store(settings)
    first = next_monday(engine)
    category = biggest_category(engine) if drift else None
    for number in range(weeks):
        monday = first + timedelta(weeks=number)
        week = iso_week(monday)
        drifted = category if number >= weeks // 2 else None
        summary = week_with_progress(settings, week=week, top_k=10, min_fit=None, out=None)
        written = generate_followup(
            engine,
            settings.home / "demo-weeks" / week,
            weeks=1,
            first_week=monday,
            drift_category=drifted,
            seed=number,
        )
        ingest_with_progress(settings, settings.home / "demo-weeks" / week, show_progress=False)
        console.print(
            f"  {week}: lists for {summary.hosts_with_list} hosts; "
            + counts(written)
            + (f"; {drifted} hosts and listings speak a new vocabulary" if drifted else "")
        )
