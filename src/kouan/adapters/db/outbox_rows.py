"""The outbox's rows: appended in the writer's transaction (a plain multi-row INSERT, as the audit
log's), read and marked published by the relay, pruned once old."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.engine import Dialect

from kouan.adapters.db import plain
from kouan.adapters.db.tables import OutboxEvent

_COLUMNS = ("event_id", "event_type", "subject", "org_id", "payload")


@lru_cache(maxsize=8)
def _insert(dialect: Dialect) -> plain.PlainStatement:
    """INSERT of an event without its id (the database numbers rows in the order inserted)."""
    columns = OutboxEvent.__table__.c
    values = {name: bindparam(name, type_=columns[name].type) for name in _COLUMNS}
    return plain.compile_plain(insert(OutboxEvent).values(values), dialect)


def append_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert a transaction's events in one call of the driver, just before it commits."""
    plain.run(conn, _insert(conn.dialect), rows)


def unpublished(conn: Connection, limit: int) -> list[Any]:
    """The oldest events not yet acknowledged by JetStream, in the order they were written."""
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(conn.execute(query).all())


def mark_published(conn: Connection, ids: list[int], at: datetime) -> None:
    statement = (
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(bindparam("ids", expanding=True)))
        .values(published_at=at)
    )
    conn.execute(statement, {"ids": ids})


def prune(conn: Connection, published_before: datetime) -> int:
    """Forget events published before the instant (the stream keeps them); how many."""
    statement = delete(OutboxEvent).where(OutboxEvent.published_at < published_before)
    return conn.execute(statement).rowcount
