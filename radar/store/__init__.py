"""The store: SQLAlchemy models of the radar's tables, and opening a migrated database."""

from radar.store.database import IDS_PER_QUERY, open_store
from radar.store.models import (
    Adoption,
    Base,
    Comment,
    IngestRun,
    Placement,
    Product,
    RetiredBatch,
    Streamer,
    Transcript,
    WeeklyRecommendation,
    WeeklyRecommendationRow,
    WeekPublication,
)

__all__ = [
    "IDS_PER_QUERY",
    "Adoption",
    "Base",
    "Comment",
    "IngestRun",
    "Placement",
    "Product",
    "RetiredBatch",
    "Streamer",
    "Transcript",
    "WeekPublication",
    "WeeklyRecommendation",
    "WeeklyRecommendationRow",
    "open_store",
]
