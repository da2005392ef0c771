"""Read queries over the store shared by the commands."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, func, select

from radar.store.models import Base, Comment, Transcript


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the store."""
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def streamer_texts(engine: Engine, streamer_id: str, *, kind: str) -> Iterator[str]:
    """A host's transcripts (`kind="transcripts"`) or comments (`kind="comments"`), oldest first."""
    model = Transcript if kind == "transcripts" else Comment
    time_column = Transcript.started_at if kind == "transcripts" else Comment.created_at
    query = select(model.text).where(model.streamer_id == streamer_id).order_by(time_column)
    with engine.connect() as connection:
        yield from connection.scalars(query.execution_options(yield_per=2000))
