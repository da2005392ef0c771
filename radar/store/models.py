"""SQLAlchemy 2 models of the store. Times are naive Beijing time (UTC+8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(64)


class Base(DeclarativeBase):
    pass


class Streamer(Base):
    """A live-stream host (主播)."""

    __tablename__ = "streamers"
    streamer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tags: Mapped[str | None] = mapped_column(String(500))


class Product(Base):
    """A catalogue product."""

    __tablename__ = "products"
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    price: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    stock: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[str | None] = mapped_column(Text)
    listed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Transcript(Base):
    """The ASR transcript of one live session."""

    __tablename__ = "transcripts"
    session_id: Mapped[str] = mapped_column(ID, primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ForeignKey("streamers.streamer_id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)


class Comment(Base):
    """A fan comment or danmaku line."""

    __tablename__ = "comments"
    comment_id: Mapped[str] = mapped_column(ID, primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ForeignKey("streamers.streamer_id"), index=True)
    session_id: Mapped[str | None] = mapped_column(ID, index=True)
    user_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    text: Mapped[str] = mapped_column(Text)


class Placement(Base):
    """A product placed in a host's session, with its outcome."""

    __tablename__ = "placements"
    placement_id: Mapped[str] = mapped_column(ID, primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ForeignKey("streamers.streamer_id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    orders: Mapped[int | None] = mapped_column(Integer)
    gmv: Mapped[float | None] = mapped_column(Float)
    converted: Mapped[int | None] = mapped_column(Integer)
    recommendation_id: Mapped[str | None] = mapped_column(String(100))
    """The recommendation it followed, `WEEK:STREAMER_ID:RANK`, where the caller knows it."""


class Adoption(Base):
    """A placement that followed a published recommendation: named by the placement's
    `recommendation_id` (`source` explicit) or matched by host, product and week (matched).
    Derived from placements and published weeks; `radar monitor` rewrites it."""

    __tablename__ = "adoptions"
    placement_id: Mapped[str] = mapped_column(ID, primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(8), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    fit: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))


class IngestRun(Base):
    """One `radar ingest`: where from, when, and the counts per table (JSON)."""

    __tablename__ = "ingest_runs"
    run_id: Mapped[str] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    counts: Mapped[str] = mapped_column(Text, default="{}")


class _WeeklyListItem:
    """The columns of one item of a host's weekly list (its keys are the table's own)."""

    product_id: Mapped[str] = mapped_column(ID)
    title: Mapped[str] = mapped_column(Text)
    fit: Mapped[float] = mapped_column(Float)
    calibrated: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)
    """The reasons' text, as in the week's files."""
    model_version: Mapped[str] = mapped_column(String(32))
    reasons_json: Mapped[str] = mapped_column(Text)
    """The whole reasons (text, topics, keywords, evidence) as JSON, as in the Parquet file."""
    proposal_score: Mapped[float] = mapped_column(Float, server_default="0")
    heat: Mapped[float] = mapped_column(Float, server_default="0")
    fan_demand: Mapped[float] = mapped_column(Float, server_default="0")
    profit: Mapped[float] = mapped_column(Float, server_default="0")
    below_cut: Mapped[int] = mapped_column(Integer, server_default="0")
    """1 for the closest products shown when none reaches the cut."""
    proposal_rank: Mapped[int | None] = mapped_column(Integer)
    """The item's place in the host's list ordered by proposal score."""


class WeeklyRecommendationRow(_WeeklyListItem, Base):
    """One row of a host's weekly list as one `radar batch` run (`batch_id`) wrote it.
    Readers read `weekly_recommendations`, which shows the week's published run only."""

    __tablename__ = "weekly_recommendation_rows"
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)


class WeekPublication(Base):
    """The `radar batch` run whose rows and files are a week's published list."""

    __tablename__ = "week_publications"
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), unique=True)
    model_version: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime)


class RetiredBatch(Base):
    """A run replaced by a later publication of its week: its rows are no longer read, and
    the next run's store writer deletes them (off the publication's short transaction)."""

    __tablename__ = "retired_batches"
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class View(DeclarativeBase):
    """Read-only views (made by the migrations, not tables of `Base.metadata`)."""


class WeeklyRecommendation(_WeeklyListItem, View):
    """One row of a host's weekly list, of published weeks only: each week whole, as its
    last published `radar batch` run wrote it (a view over `weekly_recommendation_rows`)."""

    __tablename__ = "weekly_recommendations"
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)


MODEL_ID = String(64)
"""A model's identity: the SHA-256 hex of its files' digests (`radar.digests`)."""


class HostProfileRow(Base):
    """A host's topic profile as one model (`model_id`: its identity) made it from one
    state of the data (`data_version`: the last ingest run it has seen). Topic vectors are
    float64 bytes, the word vector float32 bytes; keywords (a JSON list) and evidence lines
    (a JSON list) are what reasons quote."""

    __tablename__ = "host_profiles"
    model_id: Mapped[str] = mapped_column(MODEL_ID, primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    data_version: Mapped[str] = mapped_column(ID)
    state: Mapped[str] = mapped_column(String(32))
    talk_tokens: Mapped[int] = mapped_column(Integer)
    fans_tokens: Mapped[int] = mapped_column(Integer)
    talk: Mapped[bytes | None] = mapped_column(LargeBinary)
    fans: Mapped[bytes | None] = mapped_column(LargeBinary)
    combined: Mapped[bytes | None] = mapped_column(LargeBinary)
    keywords: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    words: Mapped[bytes | None] = mapped_column(LargeBinary)


class HostDocumentsRow(Base):
    """What each of a host's documents gave its profile as one model (`model_id`) inferred
    them (`radar.store.host_documents`), and the state of the host's text they were read
    from (`text_state`: counts, latest times and lengths of its transcripts and comments)."""

    __tablename__ = "host_documents"
    model_id: Mapped[str] = mapped_column(MODEL_ID, primary_key=True)
    streamer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    text_state: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text)
    thetas: Mapped[bytes] = mapped_column(LargeBinary)
    words: Mapped[str] = mapped_column(Text)


class CatalogueVectorsRow(Base):
    """The catalogue's topic vectors, category distributions and word vectors as one model
    (`model_id`) made them from one state of the data: an `.npz` of `matrix`, `categories`
    and `words`, the product ids in row order (JSON) and each product's tokens (ASCII record
    / unit separators)."""

    __tablename__ = "catalogue_vectors"
    model_id: Mapped[str] = mapped_column(MODEL_ID, primary_key=True)
    data_version: Mapped[str] = mapped_column(ID)
    product_ids: Mapped[str] = mapped_column(Text)
    arrays: Mapped[bytes] = mapped_column(LargeBinary)
    tokens: Mapped[str] = mapped_column(Text)
