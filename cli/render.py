"""How the commands print: the consoles, the tables and summaries, and the progress bars
(on stderr, only on a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from radar.ingest import IngestReport
    from radar.matching.recommender import HostRecommendations
    from serving.batch import BatchSummary
    from training.run import TrainingOutcome

console = Console()
error_console = Console(stderr=True, soft_wrap=True)


def counts(rows: dict[str, int]) -> str:
    """`1,234 hosts, 56 products`: rows written per table."""
    return ", ".join(f"{n:,} {table}" for table, n in rows.items())


def print_recommendations(result: HostRecommendations, version: str) -> None:
    """One host's list as a table, or why there is none (with the closest products when
    none reaches the cut)."""
    if result.state == "below_cut":
        shown = "; ".join(f"{item.fit:.4f} {item.title}" for item in result.items)
        console.print(
            f"{result.streamer_id}: no product reaches fit {result.min_fit:.2f} "
            f"(model version {version}). Closest: [dim]{shown}[/]"
        )
        return
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
        console.print(
            f"{result.streamer_id}: no product reaches fit {result.min_fit:.2f} "
            f"(model version {version}), and none passes the filters."
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


def print_batch_summary(summary: BatchSummary) -> None:
    """The week's counts, the hosts without a list and the files written."""
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


def print_training(model_name: str, outcome: TrainingOutcome) -> None:
    """The trained version's quality, the gate's verdict and its topics."""
    quality = outcome.quality
    console.print(
        f"  [bold]{model_name} version {outcome.version}[/] (K={outcome.num_topics}): "
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


def print_ingest_report(report: IngestReport) -> None:
    """Rows read, loaded and quarantined per table; the quarantine files; tables refused."""
    table = Table(title=f"ingest {report.run_id}", title_justify="left")
    for column in ("table", "file", "read", "loaded", "quarantined", "reasons"):
        table.add_column(
            column, justify="right" if column in ("read", "loaded", "quarantined") else "left"
        )
    for name, table_counts in report.tables.items():
        reasons = ", ".join(f"{reason} ×{n}" for reason, n in table_counts.reasons.most_common())
        table.add_row(
            name,
            table_counts.file,
            f"{table_counts.read:,}",
            f"{table_counts.loaded:,}",
            f"{table_counts.quarantined:,}",
            reasons or "-",
        )
    console.print(table)
    for path in report.quarantine_files:
        console.print(f"  quarantined rows with their reasons: {path}")
    for reason in report.refused.values():
        error_console.print(f"[bold red]not loaded[/] {reason}")


@contextmanager
def table_progress(*, show: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A bar per table read (bytes done of the file's size): `progress(table, done, total)`."""
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=error_console,
        disable=not show or not error_console.is_terminal,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        yield progress


@contextmanager
def hosts_progress() -> Iterator[Callable[[int, int], None]]:
    """One bar of hosts scored: `progress(done, total)`."""
    with Progress(
        TextColumn("scoring hosts"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=error_console,
        disable=not error_console.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("hosts", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
