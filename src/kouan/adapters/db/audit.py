"""The audit log: every state change appended in the writer's transaction, each row chained to the
one before by a SHA-256 hash so that an edited or deleted row is found by `verify`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from kouan.adapters.db import plain
from kouan.adapters.db.tables import AuditEntry, AuditHead
from kouan.domain.canonical import digest

GENESIS = "0" * 64
# Built once, and run on the driver (see plain): SQLAlchemy's execution costs more than SQLite's.
_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    return digest(fields, prev_hash)


def _fields(entry: AuditEntry | dict[str, Any]) -> dict[str, Any]:
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    at = get("at")
    assert isinstance(at, datetime)
    return {
        "seq": get("seq"),
        # Hashed as stored: in UTC, whatever zone the writer's clock gave.
        "at": at.astimezone(UTC).isoformat(),
        "actor_user_id": get("actor_user_id"),
        "actor": get("actor"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": get("entity_id"),
        "before": get("before"),
        "after": get("after"),
    }


def append_many(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Chain and insert a transaction's entries at once, just before it commits.

    Locking the head row last keeps the time other writers wait for the chain short.
    """
    lock_head, insert_entries, move_head = _statements(conn.dialect)
    head = plain.fetch(conn, lock_head, {})
    if not head:
        # The first append ever. Writers that race to create the head on PostgreSQL: the
        # second waits for the first to commit, then locks the head the first left.
        statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(AuditHead)
        conn.execute(statement.values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing())
        head = plain.fetch(conn, lock_head, {})
    seq, prev_hash = head[0]
    rows = []
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "entity_id": str(entry["entity_id"]), "prev_hash": prev_hash}
        row["hash"] = prev_hash = _digest(prev_hash, _fields(row))
        rows.append(row)
    plain.run(conn, insert_entries, rows)
    plain.run(conn, move_head, [{"new_seq": seq, "new_hash": prev_hash}])


@lru_cache(maxsize=64)
def _statements(dialect: Dialect) -> tuple[plain.PlainStatement, ...]:
    """Locking the head, inserting entries and moving the head, compiled for `dialect`."""
    entries = plain.insert_statement(AuditEntry.__table__, dialect, returning_id=False)
    return (
        plain.compile_plain(_LOCK_HEAD, dialect),
        entries,
        plain.compile_plain(_MOVE_HEAD, dialect),
    )


@dataclass(frozen=True)
class Break:
    """Where the chain does not hold, and why."""

    seq: int
    problem: str


def verify(session: Session, batch: int = 5000) -> Iterator[Break]:
    """Walk the chain from the first row; yield every break (edited, deleted or reordered rows)."""
    prev_hash, expected_seq = GENESIS, 1
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                yield Break(expected_seq, f"rows {expected_seq}..{entry.seq - 1} are missing")
            if entry.prev_hash != prev_hash:
                yield Break(entry.seq, "prev_hash does not match the row before")
            if _digest(entry.prev_hash, _fields(entry)) != entry.hash:
                yield Break(entry.seq, "contents do not match the row's hash (edited)")
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        yield Break(last_seq + 1, f"the chain ends at {last_seq} but {head.seq} rows were written")
