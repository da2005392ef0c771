"""`radar monitor`: parse, call `training.monitor`, render (a table, or JSON)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.store import open_settings_store
from radar.settings import Settings

if TYPE_CHECKING:
    from radar.monitoring.report import MonitoringReport
    from training.monitor import Retraining

console = Console()
STATUS_STYLE = {
    "ok": "[green]ok 正常[/]",
    "watch": "[yellow]watch 关注[/]",
    "act": "[red]act 处理[/]",
}
FIGURE_LABELS = {
    "ece_excess": "校准误差 ECE above chance",
    "min_fit_shortfall": "高分缺口 shortfall at min_fit",
    "topic_mix_distance": "主题漂移 topic mix (JS)",
    "unseen_token_rise": "新词上升 unseen tokens",
    "hosts_new_vocabulary_share": "主播新词 hosts with new words",
    "fit_shift_psi": "契合度偏移 fit shift (PSI)",
    "uplift": "采纳提升 uplift if followed",
}
GROUP_LABELS = {
    "all": "全部 all",
    "warm": "老主播 warm",
    "new": "新主播 new",
    "drift": "漂移 drift",
    "impact": "效果 impact",
    "freshness": "数据 data",
}


def monitor(
    weeks: Annotated[int, typer.Option(min=1, help="the latest weeks to monitor")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    act: Annotated[
        bool,
        typer.Option(
            "--act",
            help="train (through the gate) when a status is act (not within "
            "RADAR_RETRAIN_COOLDOWN_DAYS of --act's last training) or the champion is older "
            "than RADAR_RETRAIN_AFTER_DAYS",
        ),
    ] = False,
) -> None:
    """Is the radar still working: realised conversion against predicted fit since the
    champion's data, input drift, data freshness and the impact of followed
    recommendations, each ok, watch or act (logged as an MLflow `monitor` run)."""
    from radar.service.registry_probe import require_champion

    settings = Settings()
    registry = (settings.resolved_mlflow_tracking_uri, settings.model_name)
    require_champion(*registry)
    from radar.service.registry import load_champion
    from radar.topics.labels import home_labels_file
    from training.monitor import monitor_champion, retrain_when_needed
    from training.run import run_training

    engine = open_settings_store(settings)
    loaded = load_champion(*registry, settings.model_cache_dir)
    report = monitor_champion(
        engine,
        loaded.model,
        model_version=loaded.version,
        tracking_uri=registry[0],
        model_name=registry[1],
        weeks=weeks,
        min_fit=settings.min_fit,
        experiment=settings.experiment_name,
    )
    retraining = None
    if act:
        retraining = retrain_when_needed(
            report,
            max_age_days=settings.retrain_after_days,
            cooldown_days=settings.retrain_cooldown_days,
            experiment=settings.experiment_name,
            train=lambda: run_training(
                engine,
                tracking_uri=registry[0],
                model_name=registry[1],
                experiment=settings.experiment_name,
                labels_path=home_labels_file(settings.home),
                min_fit=settings.min_fit,
                on_step=None if as_json else lambda message: console.print(f"  {message}"),
            ),
        )
    if as_json:
        typer.echo(json.dumps(_as_json(report, retraining), ensure_ascii=False))
        return
    _print_report(report, retraining)


def _as_json(report: MonitoringReport, retraining: Retraining | None) -> dict[str, object]:
    answer = report.to_dict()
    if retraining is not None:
        outcome = retraining.outcome
        answer["retraining"] = {
            "reason": retraining.reason,
            "trained": outcome is not None,
            "version": None if outcome is None else outcome.version,
            "promoted": None if outcome is None else outcome.decision.promote,
            "decision": None if outcome is None else outcome.decision.reason,
        }
    return answer


def _print_report(report: MonitoringReport, retraining: Retraining | None) -> None:
    console.print(
        f"[bold]选品雷达监控 radar monitor[/]: champion version {report.model_version}, "
        f"trained {report.trained_at} ({report.champion_age_days:.0f} days ago) on data up to "
        f"{report.data_until}; monitored {report.period[0]} → {report.period[1]}; "
        f"overall {STATUS_STYLE[report.status]}"
    )
    table = Table(show_lines=False, title_justify="left")
    for column in ("指标 figure", "值 value", "状态 status", "规则 rule", "说明 note"):
        table.add_column(column, justify="right" if column == "值 value" else "left")
    for figure in report.figures:
        group, _, kind = figure.name.partition(".")
        label = FIGURE_LABELS.get(kind, kind)
        where = GROUP_LABELS.get(group, group)
        value = "–" if math.isnan(figure.value) else f"{figure.value:.3f}"
        table.add_row(
            f"{where} · {label}", value, STATUS_STYLE[figure.status], figure.rule, figure.note
        )
    console.print(table)
    if report.weeks:
        weekly = Table(title="每周 per week", title_justify="left")
        for column in ("week", "placements", "mean fit", "converted", "ECE", "followed", "uplift"):
            weekly.add_column(column, justify="left" if column == "week" else "right")
        for week in report.weeks:
            uplift = "–"
            if week.impact is not None:
                uplift = (
                    f"{week.impact.uplift:+.3f} [{week.impact.low:+.3f}, {week.impact.high:+.3f}]"
                )
            weekly.add_row(
                week.week,
                str(week.placements),
                f"{week.mean_fit:.3f}",
                f"{week.converted_rate:.3f}",
                f"{week.ece:.3f}",
                str(week.followed),
                uplift,
            )
        console.print(weekly)
    if report.unknown_recommendation_ids:
        console.print(
            f"  {report.unknown_recommendation_ids} placements name a recommendation_id that no "
            "published week holds (WEEK:STREAMER_ID:RANK)"
        )
    if retraining is not None:
        console.print(f"[bold]--act[/]: {retraining.reason}")
        outcome = retraining.outcome
        if outcome is not None:
            verdict = "champion" if outcome.decision.promote else "challenger only"
            console.print(
                f"  trained version {outcome.version} → {verdict}: {outcome.decision.reason}"
            )
