"""A host's weeks as the console shows them: what the host talks about and what the fans
ask, week by week (`profile_timeline` over the host's last weeks of text), in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine

from features.documents import COMMENTS, TRANSCRIPT
from radar.matching.timeline import TimelinePoint, profile_timeline
from radar.service.cache import TimedCache
from radar.store.console import last_text_at
from radar.store.documents import load_documents
from radar.store.hosts import require_known_host
from radar.topics import TopicModel
from serving.console.schemas import HostWeekPublic, SourceWeekPublic, TopicSharePublic

WEEK_TOPICS = 3
"""Topics shown for each week and source."""
SUMMARY_TOPICS = 2
"""Topics named in the plain-words summary."""
MAX_KEPT = 2_000
"""Hosts' weeks kept at most (a few kB each)."""


class HostWeeks:
    """Hosts' weeks, kept `seconds` per model version, host and number of weeks (text
    read from the store and inferred once, not at every look)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._cache: TimedCache[tuple[list[HostWeekPublic], str]] = TimedCache(
            seconds, max_entries=MAX_KEPT
        )

    def of(
        self, engine: Engine, topics: TopicModel, version: str, streamer_id: str, weeks: int
    ) -> tuple[list[HostWeekPublic], str]:
        """The host's last `weeks` weeks of text (oldest first) and their summary.

        Raises:
            UnknownHostError: no such host in the store.
        """
        key = f"{version}\x00{streamer_id}\x00{weeks}"
        found = self._cache.get(key)
        if found is None:
            found = host_weeks(engine, topics, streamer_id, weeks)
            self._cache.put(key, found)
        return found


def host_weeks(
    engine: Engine, topics: TopicModel, streamer_id: str, weeks: int
) -> tuple[list[HostWeekPublic], str]:
    """The host's topics per week and source over the `weeks` weeks up to its latest text,
    and a summary in Chinese."""
    require_known_host(engine, streamer_id)
    last = last_text_at(engine, streamer_id)
    if last is None:
        return [], "这位主播还没有直播文字或粉丝评论。"
    midnight = last.replace(hour=0, minute=0, second=0, microsecond=0)
    since = midnight - timedelta(days=last.weekday(), weeks=weeks - 1)
    points = profile_timeline(load_documents(engine, streamer_id=streamer_id, since=since), topics)
    labels = list(topics.topic_labels_)
    by_week: dict[date, dict[str, TimelinePoint]] = {}
    for point in points:
        by_week.setdefault(point.week_start, {})[point.source] = point
    shown = [
        HostWeekPublic(
            week=_iso_week(start),
            week_start=start.isoformat(),
            talk=_source(sources.get(TRANSCRIPT), labels),
            fans=_source(sources.get(COMMENTS), labels),
        )
        for start, sources in sorted(by_week.items())
    ]
    return shown, _summary(points, labels, len(shown))


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _source(point: TimelinePoint | None, labels: list[str]) -> SourceWeekPublic | None:
    if point is None:
        return None
    order = np.argsort(-point.topics, kind="stable")[:WEEK_TOPICS]
    return SourceWeekPublic(
        tokens=point.tokens,
        topics=[
            TopicSharePublic(topic=int(k), label=labels[k], weight=round(float(point.topics[k]), 4))
            for k in order
        ],
    )


def _summary(points: Sequence[TimelinePoint], labels: list[str], weeks: int) -> str:
    """E.g. 近 8 周，主播主要在聊「美妆」「护肤」；粉丝最常问「美妆」「母婴」。"""
    if not points:
        return "近期的文字太少，还看不出主播在聊什么。"
    parts = []
    for source, subject in ((TRANSCRIPT, "主播主要在聊"), (COMMENTS, "粉丝最常问")):
        mine = [point for point in points if point.source == source]
        if not mine:
            continue
        tokens = np.array([point.tokens for point in mine], dtype=float)
        mean = tokens @ np.stack([point.topics for point in mine]) / tokens.sum()
        top = np.argsort(-mean, kind="stable")[:SUMMARY_TOPICS]
        parts.append(subject + "".join(f"「{labels[k]}」" for k in top))
    return f"近 {weeks} 周，" + "；".join(parts) + "。"
