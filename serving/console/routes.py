"""The console's JSON routes beside the API's (same API keys): find a host, a host's
weeks, the published week's hosts and its files. Every one is bounded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy import Engine

from radar.store.console import (
    PublishedWeek,
    published_week,
    published_weeks,
    search_hosts,
    week_hosts,
)
from serving.console.downloads import FORMATS, file_name, offered, week_file
from serving.console.schemas import (
    BatchHostPublic,
    BatchWeekPublic,
    HostFoundPublic,
    HostSearchPublic,
    HostWeeksPublic,
    PublishedWeekPublic,
)
from serving.console.weekly import HostWeeks
from serving.deps import HolderDep, ServedDep, SettingsDep
from serving.errors import documented

router = APIRouter(prefix="/v1", tags=["console"])

MAX_QUERY_CHARS = 64
MAX_HOSTS_FOUND = 50
MAX_WEEKS = 26
MAX_BATCH_HOSTS = 500
WEEKS_LISTED = 12
"""Published weeks offered in the week selector."""
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
NO_WEEK = "no published week: run `radar batch` (or ask for a week it has written)"
NO_FILE = "this week has no such file in the radar's batch folder: run `radar batch`"

Week = Annotated[
    str | None,
    Query(pattern=WEEK_PATTERN, description="YYYY-Www; the latest published week if omitted"),
]


@router.get("/streamers", responses=documented(401))
def find_hosts(
    holder: HolderDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="id or name")],
    limit: Annotated[int, Query(ge=1, le=MAX_HOSTS_FOUND)] = 20,
) -> HostSearchPublic:
    """Hosts whose id or name contains `q` (any case), the host with id `q` first."""
    found = search_hosts(holder.engine, q.strip() or q, limit)
    return HostSearchPublic(
        items=[HostFoundPublic(streamer_id=host, streamer_name=name) for host, name in found]
    )


@router.get("/streamers/{streamer_id}/weeks", responses=documented(401, 404, 503))
async def host_weeks(
    request: Request,
    streamer_id: Annotated[str, Path(min_length=1, max_length=64)],
    served: ServedDep,
    weeks: Annotated[int, Query(ge=1, le=MAX_WEEKS)] = 8,
) -> HostWeeksPublic:
    """What the host talked about and what the fans asked, week by week (the last `weeks`
    weeks up to the host's latest text), with a summary in plain Chinese."""
    cache: HostWeeks = request.app.state.console_weeks
    shown, summary = await run_in_threadpool(
        cache.of,
        served.service.engine,
        served.loaded.model.topics,
        served.loaded.version,
        streamer_id,
        weeks,
    )
    return HostWeeksPublic(
        streamer_id=streamer_id,
        streamer_name=served.service.host_names.get(streamer_id),
        model_version=served.loaded.version,
        summary=summary,
        weeks=shown,
    )


@router.get("/batch", responses=documented(401, 404))
def batch_week(
    holder: HolderDep,
    settings: SettingsDep,
    week: Week = None,
    limit: Annotated[int, Query(ge=1, le=MAX_BATCH_HOSTS)] = 100,
) -> BatchWeekPublic:
    """A published week of `radar batch`: its hosts with their counts, the files to
    download, and the other published weeks. 404 when there is none."""
    chosen = _chosen(holder.engine, week)
    weeks = published_weeks(holder.engine, WEEKS_LISTED)
    total, hosts = week_hosts(holder.engine, chosen.week, limit)
    return BatchWeekPublic(
        week=_public(chosen),
        weeks=[_public(published) for published in weeks],
        hosts_total=total,
        hosts=[
            BatchHostPublic(
                streamer_id=host.streamer_id,
                streamer_name=host.streamer_name,
                items=host.items,
                below_cut=host.below_cut,
                best_fit=host.best_fit,
            )
            for host in hosts
        ],
        downloads=offered(settings.batch_dir, chosen.week),
    )


@router.get(
    "/batch/download",
    response_class=FileResponse,
    responses={
        **documented(401, 404),
        200: {"content": {media: {} for media in FORMATS.values()}, "description": "the file"},
    },
)
def batch_download(
    holder: HolderDep,
    settings: SettingsDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
    week: Week = None,
) -> FileResponse:
    """The published week's CSV or XLSX as `radar batch` wrote it (an attachment named
    `recommendations-YYYY-Www.csv`). 404 when there is none."""
    chosen = _chosen(holder.engine, week)
    path = week_file(settings.batch_dir, chosen.week, format)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_FILE)
    return FileResponse(path, media_type=FORMATS[format], filename=file_name(chosen.week, format))


def _chosen(engine: Engine, week: str | None) -> PublishedWeek:
    """The published week asked for (the latest when None), or 404."""
    chosen = published_week(engine, week)
    if chosen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_WEEK)
    return chosen


def _public(week: PublishedWeek) -> PublishedWeekPublic:
    return PublishedWeekPublic(
        week=week.week,
        model_version=week.model_version,
        row_count=week.row_count,
        published_at=week.published_at.isoformat(timespec="seconds"),
    )
