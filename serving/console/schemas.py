"""The console routes' response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HostFoundPublic(BaseModel):
    streamer_id: str
    streamer_name: str


class HostSearchPublic(BaseModel):
    items: list[HostFoundPublic] = Field(description="the host whose id is `q` first, then by id")


class TopicSharePublic(BaseModel):
    topic: int
    label: str
    weight: float


class SourceWeekPublic(BaseModel):
    """One source's week: its modelled tokens and its heaviest topics."""

    tokens: int
    topics: list[TopicSharePublic]


class HostWeekPublic(BaseModel):
    week: str = Field(description="ISO week, YYYY-Www")
    week_start: str = Field(description="its Monday, YYYY-MM-DD")
    talk: SourceWeekPublic | None = Field(description="what the host said (transcripts)")
    fans: SourceWeekPublic | None = Field(description="what the fans wrote (comments)")


class HostWeeksPublic(BaseModel):
    streamer_id: str
    streamer_name: str | None
    model_version: str
    summary: str = Field(description="the weeks in plain words, in Chinese")
    weeks: list[HostWeekPublic] = Field(description="oldest first; weeks with no text left out")


class BatchHostPublic(BaseModel):
    streamer_id: str
    streamer_name: str | None
    items: int = Field(description="products on the host's list (at the cut)")
    below_cut: int = Field(description="the closest products shown when none reached the cut")
    best_fit: float


class PublishedWeekPublic(BaseModel):
    week: str
    model_version: str
    row_count: int
    published_at: str


class BatchWeekPublic(BaseModel):
    week: PublishedWeekPublic
    weeks: list[PublishedWeekPublic] = Field(description="the latest published weeks, newest first")
    hosts_total: int = Field(description="hosts with a list this week")
    hosts: list[BatchHostPublic] = Field(description="the first `limit` of them, by id")
    downloads: list[str] = Field(
        description="the formats `GET /v1/batch/download` serves: csv, xlsx"
    )
