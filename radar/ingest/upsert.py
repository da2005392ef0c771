"""Insert-or-update by primary key, natively where the dialect has it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, tuple_


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
