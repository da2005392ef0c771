"""The corpus as the store holds it: documents built from its transcripts, comments and
products."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import groupby

from sqlalchemy import Connection, Engine, select

from features.danmaku import DanmakuFilter
from features.documents import (
    COMMENTS,
    PRODUCT,
    TRANSCRIPT,
    Document,
    pool_comments,
    product_document,
    split_passages,
)
from radar.store.models import Comment, Product, Transcript


def load_documents(
    engine: Engine,
    *,
    since: datetime | None = None,
    streamer_id: str | None = None,
    streamer_ids: Sequence[str] | None = None,
    products: bool = True,
    passage_chars: int = 400,
    max_comments: int = 50,
) -> list[Document]:
    """Transcript passages, pooled comments per host session, and product documents.

    `streamer_id` keeps one host's documents, `streamer_ids` those of several (and no
    products, either way); `since` drops older text.
    """
    hosts = [streamer_id] if streamer_id is not None else streamer_ids
    with engine.connect() as connection:
        return [
            *_transcript_documents(connection, since, hosts, passage_chars),
            *_comment_documents(connection, since, hosts, max_comments),
            *(_product_documents(connection) if products and hosts is None else ()),
        ]


def _transcript_documents(
    connection: Connection,
    since: datetime | None,
    hosts: Sequence[str] | None,
    passage_chars: int,
) -> Iterator[Document]:
    query = select(Transcript).order_by(Transcript.started_at, Transcript.session_id)
    if since is not None:
        query = query.where(Transcript.started_at >= since)
    if hosts is not None:
        query = query.where(Transcript.streamer_id.in_(hosts))
    for row in connection.execute(query):
        for index, passage in enumerate(split_passages(row.text, max_chars=passage_chars)):
            yield Document(
                TRANSCRIPT, f"{row.session_id}#{index}", passage, row.streamer_id, row.started_at
            )


def _comment_documents(
    connection: Connection, since: datetime | None, hosts: Sequence[str] | None, max_comments: int
) -> Iterator[Document]:
    query = select(Comment.streamer_id, Comment.session_id, Comment.created_at, Comment.text)
    if since is not None:
        query = query.where(Comment.created_at >= since)
    if hosts is not None:
        query = query.where(Comment.streamer_id.in_(hosts))
    query = query.order_by(Comment.streamer_id, Comment.session_id, Comment.created_at)
    rows = connection.execute(query.execution_options(yield_per=5000))
    for (streamer_id, session_id), group in groupby(rows, key=lambda row: row[:2]):
        stream = list(group)
        noise = DanmakuFilter()
        pools = pool_comments((row.text for row in stream), max_comments=max_comments, noise=noise)
        for index, text in enumerate(pools):
            yield Document(
                COMMENTS,
                f"{streamer_id}/{session_id}#{index}",
                text,
                streamer_id,
                stream[0].created_at,
            )


def _product_documents(connection: Connection) -> Iterator[Document]:
    for row in connection.execute(select(Product).order_by(Product.product_id)):
        text = product_document(
            row.title, category=row.category, description=row.description, attributes=row.attributes
        )
        yield Document(PRODUCT, row.product_id, text)
