"""What a model version derives from the store's data, kept in the store: host profiles
and the catalogue's vectors.

Building them runs every document and product text through the topic model, the slow
part of scoring at scale; so they are saved with the model that made them (its identity,
the digest of its files, not its version number: two registries both have a version 1) and
the data version they saw (the last ingest run that loaded rows into the tables they
are made from: transcripts and comments for profiles, products for the catalogue), and
reused until either changes. A run that brings only placements, say, keeps both. After
new text, a profile whose host's text did not change is kept and marked with the new data
version (`restamp_profiles`; `radar.store.host_documents` tells which changed).
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from typing import Any, overload

import numpy as np
from sqlalchemy import Dialect, Engine, Select, bindparam, delete, select, update

from radar.matching.products import ProductText, ProductVectors
from radar.matching.profiles import HostProfile
from radar.store.database import IDS_PER_QUERY, raise_if_busy
from radar.store.models import Base, CatalogueVectorsRow, HostProfileRow, IngestRun

PROFILE_TABLES = ("transcripts", "comments")
"""The tables host profiles are made from."""
CATALOGUE_TABLES = ("products",)
"""The table the catalogue's vectors are made from."""
_RECORD, _UNIT = "\x1e", "\x1f"  # separators of products and of tokens in stored tokens
_PROFILE_COLUMNS = (
    HostProfileRow.streamer_id,
    HostProfileRow.state,
    HostProfileRow.talk,
    HostProfileRow.fans,
    HostProfileRow.combined,
    HostProfileRow.talk_tokens,
    HostProfileRow.fans_tokens,
    HostProfileRow.keywords,
    HostProfileRow.evidence,
    HostProfileRow.words,
)
"""What a stored profile is made from, in `_profile`'s order."""


def data_version(engine: Engine, tables: Collection[str] | None = None) -> str:
    """The id of the store's last finished ingest run ("" before the first); with
    `tables`, of the last run that loaded rows into any of them: what data derived from
    those tables alone is made from."""
    with engine.connect() as connection:
        for run_id, counts in connection.execute(_runs_query()):
            if tables is None or _loaded_any(json.loads(counts or "{}"), tables):
                return str(run_id)
    return ""


def _loaded_any(counts: dict[str, Any], tables: Collection[str]) -> bool:
    """Whether an ingest run's counts show rows loaded into any of `tables`."""
    return any(
        isinstance(counts.get(table), dict) and counts[table].get("loaded", 0) > 0
        for table in tables
    )


def load_profiles(
    engine: Engine, model_id: str, version_of_data: str | None, streamer_ids: Sequence[str]
) -> dict[str, HostProfile]:
    """The stored profiles of these hosts made by the model `model_id` from `version_of_data`
    (None: from whichever data; hosts without one are left out)."""
    if len(streamer_ids) == 1 and version_of_data is not None:
        row = _one_profile_row(engine, model_id, version_of_data, streamer_ids[0])
        return {} if row is None else {streamer_ids[0]: _profile(row)}
    found: dict[str, HostProfile] = {}
    query = _profiles_query(by_version=version_of_data is not None)
    given = {"model_id": model_id, "version": version_of_data}
    if version_of_data is None:
        del given["version"]
    with engine.connect() as connection:
        for start in range(0, len(streamer_ids), IDS_PER_QUERY):
            hosts = list(streamer_ids[start : start + IDS_PER_QUERY])
            for row in connection.execute(query, {**given, "hosts": hosts}):
                found[row.streamer_id] = _profile(row)
    return found


def _profile(row: Sequence[Any]) -> HostProfile:
    """A stored profile from its row (`_PROFILE_COLUMNS`, in that order)."""
    host, state, talk, fans, combined, talk_tokens, fans_tokens, keywords, evidence, words = row
    return HostProfile(
        host,
        state,
        _vector(talk),
        _vector(fans),
        _vector(combined),
        talk_tokens,
        fans_tokens,
        _keywords(json.loads(keywords)),
        json.loads(evidence),
        _vector(words, "<f4"),
    )


def _one_profile_row(
    engine: Engine, model_id: str, version_of_data: str, streamer_id: str
) -> Sequence[Any] | None:
    """One host's stored profile row, read through the DB-API cursor: a served request
    reads one profile, and SQLAlchemy's connection and execution cost twice what the
    database takes to answer it (a read never waits for a writer: WAL on SQLite, MVCC on
    PostgreSQL)."""
    sql, names = _one_profile_sql(engine.dialect)
    given = {"model_id": model_id, "version": version_of_data, "host": streamer_id}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, given if names is None else [given[name] for name in names])
            row: Sequence[Any] | None = cursor.fetchone()
            return row
        except engine.dialect.loaded_dbapi.Error as error:
            raise_if_busy(error)
            raise
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool


@cache
def _one_profile_sql(dialect: Dialect) -> tuple[str, list[str] | None]:
    """The SQL of one host's stored profile in `dialect`'s own form, with the order of its
    parameters (None: named)."""
    query = select(*_PROFILE_COLUMNS).where(
        HostProfileRow.model_id == bindparam("model_id"),
        HostProfileRow.streamer_id == bindparam("host"),
        HostProfileRow.data_version == bindparam("version"),
    )
    compiled = query.compile(dialect=dialect)
    names = list(compiled.positiontup or ()) if compiled.positional else None
    return str(compiled), names


@cache
def _runs_query() -> Select[str, str]:
    """The finished ingest runs, the last first (built once, as `_profiles_query`)."""
    return (
        select(IngestRun.run_id, IngestRun.counts)
        .where(IngestRun.finished_at.is_not(None))
        .order_by(IngestRun.finished_at.desc(), IngestRun.run_id.desc())
    )


@cache
def _profiles_query(*, by_version: bool) -> Select[*tuple[Any, ...]]:
    """The query of stored profiles, built once (its values bound when it runs): building
    a query costs several times what SQLite takes to answer it, for one host."""
    query = select(*_PROFILE_COLUMNS).where(
        HostProfileRow.model_id == bindparam("model_id"),
        HostProfileRow.streamer_id.in_(bindparam("hosts", expanding=True)),
    )
    if by_version:
        query = query.where(HostProfileRow.data_version == bindparam("version"))
    return query


def replace_host_rows(
    engine: Engine, table_name: str, model_id: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Write these rows of a per-model, per-host table in one transaction, replacing the
    rows the same model has of the same hosts."""
    table = Base.metadata.tables[table_name]
    with engine.begin() as connection:
        for start in range(0, len(rows), IDS_PER_QUERY):
            chunk = rows[start : start + IDS_PER_QUERY]
            connection.execute(
                delete(table).where(
                    table.c.model_id == model_id,
                    table.c.streamer_id.in_([row["streamer_id"] for row in chunk]),
                )
            )
            connection.execute(table.insert(), chunk)


def save_profiles(
    engine: Engine, model_id: str, version_of_data: str, profiles: Iterable[HostProfile]
) -> None:
    """Store these profiles for the model `model_id`, replacing the hosts' older ones."""
    rows = [
        {
            "model_id": model_id,
            "streamer_id": profile.streamer_id,
            "data_version": version_of_data,
            "state": profile.state,
            "talk_tokens": profile.talk_tokens,
            "fans_tokens": profile.fans_tokens,
            "talk": _blob(profile.talk),
            "fans": _blob(profile.fans),
            "combined": _blob(profile.combined),
            "keywords": json.dumps(profile.keywords, ensure_ascii=False),
            "evidence": json.dumps(profile.evidence, ensure_ascii=False),
            "words": _blob(profile.words, "<f4"),
        }
        for profile in profiles
    ]
    replace_host_rows(engine, HostProfileRow.__tablename__, model_id, rows)


def restamp_profiles(
    engine: Engine, model_id: str, version_of_data: str, streamer_ids: Sequence[str]
) -> None:
    """Mark these hosts' stored profiles as made from `version_of_data` (their text did
    not change in the runs since they were made)."""
    table = Base.metadata.tables[HostProfileRow.__tablename__]
    with engine.begin() as connection:
        for start in range(0, len(streamer_ids), IDS_PER_QUERY):
            connection.execute(
                update(table)
                .where(
                    table.c.model_id == model_id,
                    table.c.streamer_id.in_(streamer_ids[start : start + IDS_PER_QUERY]),
                )
                .values(data_version=version_of_data)
            )


def load_catalogue_vectors(
    engine: Engine, model_id: str, version_of_data: str, products: list[ProductText]
) -> ProductVectors | None:
    """The stored vectors of exactly these products made by the model `model_id` from
    `version_of_data`, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(CatalogueVectorsRow).where(
                CatalogueVectorsRow.model_id == model_id,
                CatalogueVectorsRow.data_version == version_of_data,
            )
        ).first()
    if row is None or json.loads(row.product_ids) != [p.product_id for p in products]:
        return None
    with np.load(io.BytesIO(row.arrays), allow_pickle=False) as arrays:
        matrix, categories = arrays["matrix"], arrays["categories"]
        words = arrays["words"] if "words" in arrays.files else np.zeros((len(products), 0))
    tokens = JoinedTokens(row.tokens.split(_RECORD))
    return ProductVectors(products, matrix, tokens, categories, words)


class JoinedTokens(Sequence[list[str]]):
    """Stored products' words, each product's split only when asked for (reasons quote a
    few products per host; splitting all 100,000 up front costs the batch a second)."""

    def __init__(self, documents: list[str]) -> None:
        self._documents = documents

    def __len__(self) -> int:
        return len(self._documents)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [_words(doc) for doc in self._documents[index]]
        return _words(self._documents[index])


def _words(document: str) -> list[str]:
    return document.split(_UNIT) if document else []


def save_catalogue_vectors(
    engine: Engine, model_id: str, version_of_data: str, vectors: ProductVectors
) -> ProductVectors:
    """Store the catalogue's vectors for the model `model_id`, replacing older ones; returns
    them as `load_catalogue_vectors` would (each product's words joined: a fraction of
    the memory of the built lists)."""
    documents = [_UNIT.join(doc) for doc in vectors.tokens]
    arrays = io.BytesIO()
    np.savez(arrays, matrix=vectors.matrix, categories=vectors.categories, words=vectors.words)
    table = Base.metadata.tables[CatalogueVectorsRow.__tablename__]
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.model_id == model_id))
        connection.execute(
            table.insert(),
            {
                "model_id": model_id,
                "data_version": version_of_data,
                "product_ids": json.dumps([p.product_id for p in vectors.products]),
                "arrays": arrays.getvalue(),
                "tokens": _RECORD.join(documents),
            },
        )
    return ProductVectors(
        vectors.products, vectors.matrix, JoinedTokens(documents), vectors.categories, vectors.words
    )


def _keywords(stored: list[str] | dict[str, float]) -> list[str]:
    """Keywords as stored: a list, heaviest first (a dict of weights before 2026-11-26)."""
    if isinstance(stored, dict):
        return sorted((w for w in stored if stored[w] > 0), key=lambda w: (-stored[w], w))
    return stored


def _blob(vector: np.ndarray | None, dtype: str = "<f8") -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=dtype).tobytes()


def _vector(blob: bytes | None, dtype: str = "<f8") -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=dtype).copy()
