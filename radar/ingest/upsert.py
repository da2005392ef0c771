"""Insert-or-update by primary key, natively where the dialect has it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, true, tuple_

PAGE_ROWS = 1000
"""Rows per page when a dialect without a native upsert copies a staging table."""


def upsert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write `rows` into `table`, replacing the rows with the same primary key."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement: Any = insert(table)
        keys = [column.name for column in table.primary_key.columns]
        updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)
        return
    _upsert_portably(connection, table, rows)


def upsert_from(connection: Connection, table: Table, staging: Table) -> None:
    """Write every row of `staging` (a table with `table`'s columns, and maybe more) into
    `table`, replacing the rows with the same primary key: one statement where the
    dialect has a native upsert, pages of `upsert_rows` otherwise."""
    names = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key.columns]
    rows = select(*(staging.c[name] for name in names))
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        # WHERE: SQLite's parser needs it before ON CONFLICT; ORDER BY: concurrent
        # publishers lock rows in one order (no deadlock on PostgreSQL)
        statement: Any = insert(table).from_select(
            names, rows.where(true()).order_by(*(staging.c[key] for key in keys))
        )
        updates = {name: statement.excluded[name] for name in names if name not in keys}
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates))
        return
    copy_in_pages(connection, table, staging)


def copy_in_pages(
    connection: Connection, table: Table, staging: Table, page_rows: int = PAGE_ROWS
) -> None:
    """`upsert_from` for any dialect: `staging` read in pages of `page_rows` (in key
    order, each page after the last key of the one before), each page upserted."""
    names = [column.name for column in table.columns]
    keys = [staging.c[column.name] for column in table.primary_key.columns]
    ordered = select(*(staging.c[name] for name in names)).order_by(*keys).limit(page_rows)
    page = ordered
    while rows := [dict(row) for row in connection.execute(page).mappings()]:
        upsert_rows(connection, table, rows)
        page = ordered.where(tuple_(*keys) > tuple_(*(rows[-1][key.name] for key in keys)))


def _upsert_portably(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    keys = list(table.primary_key.columns)
    wanted = [tuple(row[key.name] for key in keys) for row in rows]
    existing = set(connection.execute(select(*keys).where(tuple_(*keys).in_(wanted))).tuples())
    fresh = [row for row, key in zip(rows, wanted, strict=True) if key not in existing]
    stale = [row for row, key in zip(rows, wanted, strict=True) if key in existing]
    if fresh:
        connection.execute(table.insert(), fresh)
    for row in stale:
        condition = [key == row[key.name] for key in keys]
        connection.execute(table.update().where(*condition).values(row))
