"""`radar demo`: the main job end to end on embedded defaults."""

from __future__ import annotations

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


def demo() -> None:
    """The main job end to end on embedded defaults: generate, ingest, train, recommend,
    write this week's batch lists."""
    # MLflow and the model's code: imported when the command runs, so `radar --help` is quick
    from radar.service.answers import sample_lists
    from serving.champion import champion_recommender
    from training.run import run_training

    settings = Settings()
    folder = settings.demo_data_dir
    with console.status("generating the demo data set …"):
        rows = generate_demo_data(folder)
    console.print(f"[bold]1/5 generate[/] {folder}: " + counts(rows))
    console.print("[bold]2/5 ingest[/]")
    print_ingest_report(ingest_with_progress(settings, folder, show_progress=True))
    registry = settings.resolved_mlflow_tracking_uri
    console.print("[bold]3/5 train[/] topic models, tracked in " + registry)
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
        f"[bold]4/5 recommend[/] the first {DEMO_LISTS} hosts with a list, and the first "
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
    console.print("[bold]5/5 batch[/] this week's lists for every host")
    print_batch_summary(week_with_progress(settings, week=None, top_k=10, min_fit=None, out=None))
