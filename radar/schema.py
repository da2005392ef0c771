"""The input tables of the contract: names, required and optional columns.

One place for column names; ingest, the demo generator and the store refer to these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    """One input table: its columns and which of them identify a row."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    id_column: str
    text_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    optional_time_columns: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # columns that must name a known streamer/product

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def identifier_columns(self) -> tuple[str, ...]:
        """The columns holding ids (the row's own and the ones it refers to)."""
        return tuple(column for column in self.columns if column.endswith("_id"))


STREAMERS = TableSpec(
    name="streamers",
    required=("streamer_id", "name"),
    optional=("tags",),
    id_column="streamer_id",
    text_columns=("name",),
)
PRODUCTS = TableSpec(
    name="products",
    required=("product_id", "title"),
    optional=("description", "category", "price", "margin", "stock", "attributes", "listed_at"),
    id_column="product_id",
    text_columns=("title",),
    optional_time_columns=("listed_at",),
)
TRANSCRIPTS = TableSpec(
    name="transcripts",
    required=("streamer_id", "session_id", "started_at", "text"),
    optional=(),
    id_column="session_id",
    text_columns=("text",),
    time_columns=("started_at",),
    references=("streamer_id",),
)
COMMENTS = TableSpec(
    name="comments",
    required=("streamer_id", "created_at", "text"),
    optional=("comment_id", "session_id", "user_id", "kind"),
    id_column="comment_id",
    text_columns=("text",),
    time_columns=("created_at",),
    references=("streamer_id",),
)
PLACEMENTS = TableSpec(
    name="placements",
    required=("streamer_id", "product_id", "started_at"),
    optional=("placement_id", "orders", "gmv", "converted", "recommendation_id"),
    id_column="placement_id",
    time_columns=("started_at",),
    references=("streamer_id", "product_id"),
)

# Load order matters: rows reference streamers and products loaded before them.
TABLES: tuple[TableSpec, ...] = (STREAMERS, PRODUCTS, TRANSCRIPTS, COMMENTS, PLACEMENTS)
TABLES_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}

COMMENT_KINDS = ("comment", "danmaku")
