"""The `radar` command line: the output layer over the library."""

from __future__ import annotations

import json
import logging
import os
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from radar.cli_failure import report_failure, wants_json
from radar.cli_monitor import monitor
from radar.errors import NoModelError, UnknownStreamerError, UnknownVersionError
from radar.settings import Settings, ensure_home

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from radar.ingest import IngestReport
    from radar.matching.history import StoreSnapshot
    from radar.matching.recommender import HostRecommendations
    from radar.matching.store_recommender import StoreRecommender
    from serving.batch import BatchSummary
    from serving.registry import LoadedModel
    from training.gate import Policy
    from training.run import TrainingOutcome

app = typer.Typer(
    help="选品雷达 selection radar: which new products fit each live-stream host.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
DEMO_LISTS = 3  # hosts whose lists the demo prints
error_console = Console(stderr=True, soft_wrap=True)
HOME_WHEN_USED = ("generate", "train", "promote")
"""Commands that check RADAR_HOME themselves, only when their options make them use it."""


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


@app.callback()
def _usable_home(context: typer.Context) -> None:
    # no docstring: it would be the help of `radar` itself
    if context.invoked_subcommand not in HOME_WHEN_USED:
        ensure_home(Settings().home)


@app.command()
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
    from radar.demo.generator import generate_demo_data

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
    console.print(f"wrote {folder}: " + _counts(rows))


@app.command()
def ingest(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="folder of tables")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print counts as JSON")] = False,
) -> None:
    """Validate and load (upsert) the tables in DIRECTORY; bad rows go to the quarantine."""
    settings = Settings()
    report = _ingest(settings, directory, show_progress=not as_json)
    if as_json:
        counts: dict[str, dict[str, object]] = {
            name: dict(table.as_contract()) for name, table in report.tables.items()
        }
        for name, reason in report.refused.items():
            counts[name] = {"read": 0, "loaded": 0, "quarantined": 0, "error": reason}
        typer.echo(json.dumps(counts, ensure_ascii=False))
    else:
        _print_ingest_report(report)
    if report.refused:
        raise typer.Exit(1)


@app.command()
def demo() -> None:
    """The main job end to end on embedded defaults: generate, ingest, train, recommend,
    write this week's batch lists."""
    from radar.demo.generator import generate_demo_data
    from radar.matching.history import load_streamer_ids
    from training.run import run_training

    settings = Settings()
    folder = settings.demo_data_dir
    with console.status("generating the demo data set …"):
        rows = generate_demo_data(folder)
    console.print(f"[bold]1/5 generate[/] {folder}: " + _counts(rows))
    console.print("[bold]2/5 ingest[/]")
    _print_ingest_report(_ingest(settings, folder, show_progress=True))
    console.print(
        "[bold]3/5 train[/] topic models, tracked in " + settings.resolved_mlflow_tracking_uri
    )
    outcome = run_training(
        _open_store(settings),
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        labels_path=Path(str(resources.files("radar.demo").joinpath("topic_labels.csv"))),
        on_step=lambda message: console.print(f"  {message}"),
    )
    _print_training(settings, outcome)
    console.print(
        f"[bold]4/5 recommend[/] the first {DEMO_LISTS} hosts with a list, and the first "
        f"without one (fit ≥ {settings.min_fit:.2f}; `radar recommend ID` for any other)"
    )
    loaded, scorer = _champion_recommender(settings)
    with_list: list[HostRecommendations] = []
    without: list[HostRecommendations] = []
    for streamer_id in load_streamer_ids(scorer.engine):
        result = scorer.recommend(streamer_id, top_k=5, min_fit=settings.min_fit)
        (with_list if result.items else without).append(result)
        if len(with_list) >= DEMO_LISTS and without:
            break
    for result in with_list[:DEMO_LISTS] + without[:1]:
        _print_recommendations(result, loaded.version, scorer)
    console.print("[bold]5/5 batch[/] this week's lists for every host")
    _print_batch_summary(_batch(settings, week=None, top_k=10, min_fit=None, out=None))


@app.command()
def train(
    num_topics: Annotated[str, typer.Option(help="'auto' (sweep and choose) or a number")] = "auto",
    promote: Annotated[str, typer.Option(help="auto (gate), always or never")] = "auto",
    candidates: Annotated[str, typer.Option(help="topic counts tried by auto")] = "8,12,16,20,30",
    labels: Annotated[
        Path | None,
        typer.Option(
            help="CSV of label,keywords (default: $RADAR_HOME/topic_labels.csv if present, "
            "else the champion's label rules)"
        ),
    ] = None,
    experiment: str = "selection-radar",
    seed: int = 0,
) -> None:
    """Train a topic model from the store, track it in MLflow, register it as challenger."""
    if promote not in ("auto", "always", "never"):
        raise typer.BadParameter("--promote takes auto, always or never")
    try:
        topics = None if num_topics == "auto" else int(num_topics)
        tried = [int(k) for k in candidates.split(",") if k.strip()]
    except ValueError:
        raise typer.BadParameter("--num-topics and --candidates take whole numbers") from None
    settings = Settings()
    if settings.database_url is None or settings.mlflow_tracking_uri is None:
        ensure_home(settings.home)  # the store or the registry lives in RADAR_HOME
    from radar.topics.labels import home_labels_file
    from training.run import run_training  # MLflow: seconds, once the checks have passed

    engine = _open_store(settings)
    outcome = run_training(
        engine,
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        experiment=experiment,
        num_topics=topics,
        candidates=tried,
        promote=cast("Policy", promote),
        labels_path=labels or home_labels_file(settings.home),
        seed=seed,
        min_fit=settings.min_fit,
        on_step=lambda message: console.print(f"  {message}"),
    )
    _print_training(settings, outcome)


@app.command()
def recommend(
    streamer_id: Annotated[str, typer.Argument(help="the host's id")],
    top_k: Annotated[int, typer.Option(min=1, max=200)] = 10,
    min_fit: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print rows as JSON")] = False,
) -> None:
    """Ranked products for one host, with fit and reasons (the champion model)."""
    from serving.registry_probe import require_champion

    settings = Settings()
    threshold = settings.min_fit if min_fit is None else min_fit
    require_champion(settings.resolved_mlflow_tracking_uri, settings.model_name)
    engine = _open_store(settings)
    _require_known_host(engine, streamer_id)  # both told before MLflow is imported
    loaded, scorer = _champion_recommender(settings, engine)
    result = scorer.recommend(streamer_id, top_k=top_k, min_fit=threshold)
    if as_json:
        typer.echo(json.dumps(recommendation_rows(result, loaded.version), ensure_ascii=False))
        return
    _print_recommendations(result, loaded.version, scorer)


@app.command()
def evaluate(
    as_json: Annotated[bool, typer.Option("--json", help="print metrics as JSON")] = False,
) -> None:
    """Offline metrics of the champion on the store's held-out placements."""
    from radar.evaluation.offline import evaluate_model
    from radar.matching.data import load_matching_data
    from serving.registry import load_champion
    from serving.registry_probe import require_champion

    settings = Settings()
    require_champion(settings.resolved_mlflow_tracking_uri, settings.model_name)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    model = loaded.model
    data = load_matching_data(
        _open_store(settings),
        model.topics,
        settings=model.profiles,
        shrinkage=model.product_shrinkage,
        categories=model.categories,
    )
    report = evaluate_model(model, data, min_fit=settings.min_fit)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "model_version": loaded.version,
                    "k": report.k,
                    "min_fit": report.min_fit,
                    "calibrated": report.calibrated,
                    "holdout_placements": report.holdout_placements,
                    "hosts_evaluated": report.hosts_evaluated,
                    **report.metrics,
                }
            )
        )
        return
    table = Table(
        title=f"{settings.model_name} version {loaded.version}: "
        f"{report.holdout_placements} held-out placements, "
        f"{report.hosts_evaluated} hosts",
        title_justify="left",
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report.metrics.items():
        table.add_row(name, f"{value:.3f}")
    console.print(table)


@app.command()
def batch(
    week: Annotated[str | None, typer.Option(help="ISO week like 2026-W48; default: this")] = None,
    top_k: Annotated[int, typer.Option(min=1, max=200)] = 10,
    min_fit: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
    out: Annotated[Path | None, typer.Option(help="folder (default $RADAR_HOME/batch)")] = None,
    engine: Annotated[str, typer.Option(help="numpy (in process) or dask")] = "numpy",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
) -> None:
    """Every host's list for the week: CSV (Excel-ready), Parquet, XLSX and the store."""
    if engine not in ("numpy", "dask"):
        raise typer.BadParameter("--engine takes numpy or dask")
    if engine == "dask" and not scheduler:
        raise typer.BadParameter("--engine dask needs --scheduler ADDRESS (tcp://host:8786)")
    settings = Settings()
    summary = _batch(
        settings,
        week=week,
        top_k=top_k,
        min_fit=min_fit,
        out=out,
        scheduler=scheduler if engine == "dask" else None,
    )
    _print_batch_summary(summary)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind (loopback by default)")] = "127.0.0.1",
    port: int = 8000,
    insecure_dev: Annotated[
        bool, typer.Option("--insecure-dev", help="allow starting without API keys")
    ] = False,
    no_access_log: Annotated[
        bool,
        typer.Option("--no-access-log", help="no line per request (RADAR_ACCESS_LOG=false)"),
    ] = False,
) -> None:
    """The HTTP API (OpenAPI at /docs). Needs RADAR_API_KEYS unless --insecure-dev;
    /v1/admin/reload needs a key from RADAR_ADMIN_KEYS."""
    import os

    import uvicorn

    from serving.app import create_app
    from serving.log_config import server_log_config

    os.environ.setdefault("MLFLOW_CONFIGURE_LOGGING", "false")  # MLflow logs through ours
    settings = Settings()
    if no_access_log:
        settings = settings.model_copy(update={"access_log": False})
    application = create_app(settings, insecure_dev=insecure_dev)
    console.print(f"serving on http://{host}:{port} (docs at /docs)")
    uvicorn.run(application, host=host, port=port, log_config=server_log_config(), access_log=False)


@app.command()
def promote(version: Annotated[str, typer.Argument(help="registered model version")]) -> None:
    """Make VERSION the champion (promote a challenger, or roll back to an older version)."""
    from serving.registry_probe import require_registry

    if not version.isdigit():
        raise typer.BadParameter(f"VERSION is a version number like 3, got {version!r}")
    settings = Settings()
    if settings.mlflow_tracking_uri is None:  # the registry lives in RADAR_HOME
        ensure_home(settings.home)
    require_registry(settings.resolved_mlflow_tracking_uri, settings.model_name)
    # MLflow (seconds to import) only once the quick checks have passed
    from mlflow.exceptions import MlflowException

    from training.tracking import set_champion, use_tracking

    use_tracking(settings.resolved_mlflow_tracking_uri, "selection-radar")
    try:
        set_champion(settings.model_name, version)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        raise _missing_version(settings, version) from None
    console.print(f"{settings.model_name}@champion → version {version}")


app.command()(monitor)  # radar/cli_monitor.py


def _missing_version(settings: Settings, version: str) -> NoModelError | UnknownVersionError:
    """The error for promoting a version the registry does not hold, naming those it does."""
    from mlflow import MlflowClient

    from serving.registry_probe import no_versions

    name, registry = settings.model_name, settings.resolved_mlflow_tracking_uri
    held = sorted(
        int(held.version) for held in MlflowClient().search_model_versions(f"name = '{name}'")
    )
    if not held:
        return no_versions(registry, name)
    return UnknownVersionError(
        f"no version {version} of {name} in the registry at {registry}: it holds versions "
        f"{', '.join(map(str, held))}; run `radar promote VERSION` with one of them"
    )


def _require_known_host(engine: Engine, streamer_id: str) -> None:
    """UnknownStreamerError when the store has no host `streamer_id`."""
    from sqlalchemy import select

    from radar.store import Streamer

    with engine.connect() as connection:
        known = connection.scalar(
            select(Streamer.streamer_id).where(Streamer.streamer_id == streamer_id)
        )
    if known is None:
        raise UnknownStreamerError(streamer_id)


def _open_store(settings: Settings) -> Engine:
    """The store, whose writes wait up to RADAR_STORE_BUSY_TIMEOUT_SECONDS for another's."""
    from radar.store import open_store

    return open_store(
        settings.resolved_database_url, busy_timeout=settings.store_busy_timeout_seconds
    )


def _champion_recommender(
    settings: Settings, engine: Engine | None = None
) -> tuple[LoadedModel, StoreRecommender]:
    """The champion, and a recommender scoring with it over the store."""
    from radar.matching.store_recommender import StoreRecommender
    from serving.registry import load_champion

    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    engine = engine or _open_store(settings)
    return loaded, StoreRecommender(engine, loaded.model, model_version=loaded.version)


def recommendation_rows(result: HostRecommendations, version: str) -> list[dict[str, object]]:
    """The contract's rows: streamer_id, rank, product_id, title, fit, calibrated, reasons."""
    return [
        {
            "streamer_id": result.streamer_id,
            "rank": item.rank,
            "product_id": item.product_id,
            "title": item.title,
            "fit": item.fit,
            "calibrated": item.calibrated,
            "reasons": item.reasons.to_dict(),
            "category": item.category,
            "price": item.price,
            "model_version": version,
        }
        for item in result.items
    ]


def _print_recommendations(
    result: HostRecommendations, version: str, scorer: StoreRecommender
) -> None:
    if result.reason is not None:
        console.print(f"{result.streamer_id}: [yellow]{result.state}[/] — {result.reason}")
        return
    if result.state != "ready":
        console.print(
            f"{result.streamer_id}: [yellow]insufficient data[/] — too little "
            "transcript or comment text to profile this host; no list."
        )
        return
    if not result.items:
        nearest = scorer.recommend(result.streamer_id, top_k=3, min_fit=0.0).items
        closest = "; ".join(f"{item.fit:.4f} {item.title}" for item in nearest)
        console.print(
            f"{result.streamer_id}: no product reaches fit {result.min_fit:.2f} "
            f"(model version {version}). Closest: [dim]{closest or 'none'}[/]"
        )
        return
    table = Table(
        title=f"{result.streamer_id} — fit ≥ {result.min_fit:.2f}, model version {version}",
        title_justify="left",
        show_lines=True,
    )
    for column in ("#", "product", "fit", "reasons (推荐理由)"):
        table.add_column(
            column, justify="right" if column in ("#", "fit") else "left", overflow="fold"
        )
    for item in result.items:
        fit = f"{item.fit:.2f}" + ("" if item.calibrated else "*")
        table.add_row(
            str(item.rank),
            f"{item.title}\n[dim]{item.product_id} · "
            f"{item.category or '-'} · ¥{item.price or 0:.0f}[/]",
            fit,
            item.reasons.text,
        )
    console.print(table)
    if not result.items[0].calibrated:
        console.print("* uncalibrated: no past placements with outcomes yet")


def _batch(
    settings: Settings,
    *,
    week: str | None,
    top_k: int,
    min_fit: float | None,
    out: Path | None,
    scheduler: str | None = None,
) -> BatchSummary:
    from contextlib import AbstractContextManager, nullcontext

    from radar.matching.forked import forked_call
    from serving.registry import fetch_champion
    from serving.registry_probe import require_champion

    registry = (settings.resolved_mlflow_tracking_uri, settings.model_name)
    require_champion(*registry)
    # the registry (MLflow's import alone takes two seconds) in a process forked before
    # anything heavy is imported, while this one imports the rest and reads the store
    with forked_call(fetch_champion, *registry, settings.model_cache_dir) as champion:
        store, snapshot = _store_snapshot(settings)
        loaded = champion().load()

    from radar.matching.scoring import BlockMapper, map_blocks
    from serving.batch import iso_week, run_batch

    engine: AbstractContextManager[BlockMapper] = nullcontext(map_blocks)
    if scheduler is not None:
        from serving.dask_engine import dask_engine

        engine = dask_engine(scheduler)
    with (
        engine as scoring,
        Progress(
            TextColumn("scoring hosts"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=error_console,
            disable=not error_console.is_terminal,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("hosts", total=None)
        return run_batch(
            store,
            loaded,
            week=iso_week(week),
            out_dir=out or settings.batch_dir,
            top_k=top_k,
            min_fit=settings.min_fit if min_fit is None else min_fit,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            scoring=scoring,
            workers=settings.resolved_batch_workers,
            snapshot=snapshot,
        )


def _store_snapshot(settings: Settings) -> tuple[Engine, StoreSnapshot]:
    """The store, and what scoring reads from it whatever the model."""
    from radar.matching.history import read_snapshot

    store = _open_store(settings)
    return store, read_snapshot(store)


def _print_batch_summary(summary: BatchSummary) -> None:
    console.print(
        f"[bold]week {summary.week}[/]: {summary.hosts} hosts, "
        f"{summary.hosts_with_list} with a list, {summary.rows} recommendations"
    )
    if summary.no_fitting_product:
        console.print(
            f"  no product reaches the threshold for {len(summary.no_fitting_product)}"
            f" hosts: {', '.join(summary.no_fitting_product[:10])}"
            + (" …" if len(summary.no_fitting_product) > 10 else "")
        )
    if summary.insufficient_data:
        console.print(
            f"  too little text to profile {len(summary.insufficient_data)} hosts: "
            + ", ".join(summary.insufficient_data[:10])
        )
    for path in summary.files:
        console.print(f"  wrote {path}")


def _counts(rows: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {table}" for table, n in rows.items())


def _print_training(settings: Settings, outcome: TrainingOutcome) -> None:
    quality = outcome.quality
    console.print(
        f"  [bold]{settings.model_name} version {outcome.version}[/] (K={outcome.num_topics}): "
        f"c_v {quality.coherence_cv:.3f}, NPMI {quality.coherence_npmi:.3f}, "
        f"perplexity {quality.perplexity:.0f}, diversity {quality.topic_diversity:.2f}"
    )
    verdict = "champion" if outcome.decision.promote else "challenger only"
    console.print(f"  → {verdict}: {outcome.decision.reason}")
    table = Table(title="topics (主题)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("label")
    table.add_column("top words")
    for topic, (label, words) in enumerate(zip(outcome.labels, outcome.top_words, strict=True)):
        table.add_row(str(topic), label, " ".join(words))
    console.print(table)


def _ingest(settings: Settings, directory: Path, *, show_progress: bool) -> IngestReport:
    from radar.ingest import ingest_directory

    engine = _open_store(settings)
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=error_console,
        disable=not show_progress or not error_console.is_terminal,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        return ingest_directory(
            directory,
            engine,
            quarantine_root=settings.quarantine_dir,
            max_text_chars=settings.max_text_chars(),
            progress=progress,
        )


def _print_ingest_report(report: IngestReport) -> None:
    table = Table(title=f"ingest {report.run_id}", title_justify="left")
    for column in ("table", "file", "read", "loaded", "quarantined", "reasons"):
        table.add_column(
            column, justify="right" if column in ("read", "loaded", "quarantined") else "left"
        )
    for name, counts in report.tables.items():
        reasons = ", ".join(f"{reason} ×{n}" for reason, n in counts.reasons.most_common())
        table.add_row(
            name,
            counts.file,
            f"{counts.read:,}",
            f"{counts.loaded:,}",
            f"{counts.quarantined:,}",
            reasons or "-",
        )
    console.print(table)
    for path in report.quarantine_files:
        console.print(f"  quarantined rows with their reasons: {path}")
    for reason in report.refused.values():
        error_console.print(f"[bold red]not loaded[/] {reason}")
