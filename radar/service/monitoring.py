"""Monitoring one champion over one store: the figures of `radar.monitoring`, measured.

The monitored period is the latest `weeks` weeks of the store's data after the champion's
data ended (`data_until`). Placements of that period are scored with the champion's fit
as it stood then (each host's history up to `data_until`); warm hosts are those with
outcomes by then. Drift compares the period's transcripts and comments with those of the
same number of weeks before `data_until` (the end of the training data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine

from features.documents import Document
from radar.matching.history import Outcome
from radar.matching.model import RadarModel
from radar.metrics import expected_calibration_error
from radar.monitoring.calibration import check_calibration_by_group
from radar.monitoring.drift import (
    fit_drift,
    host_vocabulary_drift,
    topic_drift,
    topic_mix,
    unseen_counts,
    unseen_share,
    vocabulary_drift,
)
from radar.monitoring.freshness import freshness
from radar.monitoring.impact import ImpactEstimate, estimate_impact
from radar.monitoring.report import MonitoringReport, WeekRow
from radar.monitoring.status import Figure
from radar.service.service import RadarService
from radar.store.adoptions import link_adoptions
from radar.store.documents import load_documents
from radar.store.monitoring import (
    adopted_placements,
    last_loads,
    latest_activity,
    product_categories,
    published_fits,
)
from radar.store.reads import load_placements
from radar.topics import TopicModel

BEIJING = timedelta(hours=8)


def measure(
    engine: Engine,
    model: RadarModel,
    *,
    model_version: str,
    data_until: datetime | None,
    min_fit: float,
    weeks: int = 4,
) -> MonitoringReport:
    """Link adoptions, then measure every figure (module docstring)."""
    trained = datetime.fromisoformat(model.topics.trained_at_)
    cutoff = data_until or trained.astimezone(UTC).replace(tzinfo=None) + BEIJING
    latest = latest_activity(engine) or cutoff
    window = latest - timedelta(weeks=weeks)
    start = max(cutoff, window)
    linking = link_adoptions(engine)
    outcomes, _ = load_placements(engine)
    before = [o for o in outcomes if o.started_at <= cutoff]
    period = [o for o in outcomes if _in_period(o.started_at, cutoff, window)]
    fits = _fits_then(engine, model, model_version, period, before)
    warm_hosts = {o.streamer_id for o in before}
    converted = np.array([o.converted for o in period], dtype=float)
    warm = np.array([o.streamer_id in warm_hosts for o in period], dtype=bool)
    adopted = adopted_placements(engine)
    followed = np.array([(o.streamer_id, o.product_id, o.started_at) in adopted for o in period])
    categories = product_categories(engine)
    calibration = check_calibration_by_group(converted, fits, warm, min_fit=min_fit)
    impact = _impact(period, converted, followed, categories)
    figures: list[Figure] = [f for check in calibration for f in check.figures]
    figures += _drift(engine, model, model_version, cutoff, window, weeks)
    if impact is not None:
        figures.append(impact.figure())
    figures += freshness(last_loads(engine), datetime.now())  # ingest records local time
    return MonitoringReport(
        model_version=model_version,
        trained_at=model.topics.trained_at_,
        champion_age_days=(datetime.now(UTC) - trained.astimezone(UTC)).total_seconds() / 86400,
        data_until=cutoff.isoformat(sep=" ", timespec="minutes"),
        period=(
            start.isoformat(sep=" ", timespec="minutes"),
            latest.isoformat(sep=" ", timespec="minutes"),
        ),
        figures=figures,
        calibration=calibration,
        weeks=_weeks(period, converted, fits, followed, categories),
        impact=impact,
        adopted=int(followed.sum()),
        unknown_recommendation_ids=len(linking.unknown_ids),
    )


def _in_period(moment: datetime, cutoff: datetime, window: datetime) -> bool:
    """After the champion's data, and within the latest weeks."""
    return moment > cutoff and moment >= window


def _fits_then(
    engine: Engine,
    model: RadarModel,
    version: str,
    period: Sequence[Outcome],
    before: Sequence[Outcome],
) -> np.ndarray:
    """The champion's fit of each placement of `period`, from the host's history before."""
    if not period:
        return np.zeros(0)
    service = RadarService(engine, model, model_version=version)
    index = service.recommender.catalogue.index
    history: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in before:
        history[outcome.streamer_id].append(outcome)
    by_host: dict[str, np.ndarray] = {}
    fits = np.zeros(len(period))
    for row, outcome in enumerate(period):
        host = outcome.streamer_id
        if host not in by_host:
            by_host[host] = service.recommender.shown_fits(service.profile(host), history[host])
        fits[row] = by_host[host][index[outcome.product_id]]
    return fits


def _impact(
    period: Sequence[Outcome],
    converted: np.ndarray,
    followed: np.ndarray,
    categories: dict[str, str | None],
) -> ImpactEstimate | None:
    return estimate_impact(
        converted,
        followed,
        [o.streamer_id for o in period],
        [categories.get(o.product_id) for o in period],
    )


def _weeks(
    period: Sequence[Outcome],
    converted: np.ndarray,
    fits: np.ndarray,
    followed: np.ndarray,
    categories: dict[str, str | None],
) -> list[WeekRow]:
    rows: dict[str, list[int]] = defaultdict(list)
    for row, outcome in enumerate(period):
        year, number, _ = outcome.started_at.isocalendar()
        rows[f"{year}-W{number:02d}"].append(row)
    table = []
    for week, members in sorted(rows.items()):
        index = np.asarray(members)
        table.append(
            WeekRow(
                week=week,
                placements=len(index),
                mean_fit=float(fits[index].mean()),
                converted_rate=float(converted[index].mean()),
                ece=expected_calibration_error(converted[index], fits[index]),
                followed=int(followed[index].sum()),
                impact=estimate_impact(
                    converted[index],
                    followed[index],
                    [period[i].streamer_id for i in members],
                    [categories.get(period[i].product_id) for i in members],
                ),
            )
        )
    return table


def _drift(
    engine: Engine,
    model: RadarModel,
    version: str,
    cutoff: datetime,
    window: datetime,
    weeks: int,
) -> list[Figure]:
    """Topic mix and unseen tokens of the period against the weeks before `cutoff`; the
    latest published batch's fits against the first this champion published."""
    topics = model.topics
    documents = load_documents(engine, since=cutoff - timedelta(weeks=weeks), products=False)
    then = _tokens(topics, [d for d in documents if d.time and d.time <= cutoff])
    now = _tokens(topics, [d for d in documents if d.time and _in_period(d.time, cutoff, window)])
    vocabulary = topics.dictionary_.token2id
    figures = []
    if then and now:
        reference, current = [t for _, t in then], [t for _, t in now]
        figures.append(topic_drift(_mix(topics, reference), _mix(topics, current)))
        figures.append(
            vocabulary_drift(unseen_share(reference, vocabulary), unseen_share(current, vocabulary))
        )
        figures.append(host_vocabulary_drift(_per_host(then, now, vocabulary)))
    batches = list(published_fits(engine, version).values())
    none = np.zeros(0)
    figures.append(fit_drift(batches[0] if batches else none, batches[-1] if batches[1:] else none))
    return figures


def _per_host(
    then: Sequence[tuple[str, list[str]]],
    now: Sequence[tuple[str, list[str]]],
    vocabulary: Collection[str],
) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
    """Each host's (unseen, total) tokens at training and now."""
    tokens: dict[str, tuple[list[list[str]], list[list[str]]]] = defaultdict(lambda: ([], []))
    for host, words in then:
        tokens[host][0].append(words)
    for host, words in now:
        tokens[host][1].append(words)
    return {
        host: (unseen_counts(before, vocabulary), unseen_counts(after, vocabulary))
        for host, (before, after) in tokens.items()
    }


def _tokens(topics: TopicModel, documents: Sequence[Document]) -> list[tuple[str, list[str]]]:
    """(host, tokens) of each document with any."""
    tokens = topics.tokenize(d.text for d in documents)
    return [(d.streamer_id or "", t) for d, t in zip(documents, tokens, strict=True) if t]


def _mix(topics: TopicModel, tokens: list[list[str]]) -> np.ndarray:
    return topic_mix(topics.transform_tokens(tokens), [len(t) for t in tokens])
