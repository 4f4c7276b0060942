"""The audit log: every state change appended in the writer's transaction, each row chained to the
one before by a SHA-256 hash so that an edited or deleted row is found by `verify`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import AuditEntry, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_user_id": entry.actor_user_id,
        "actor": entry.actor,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
    }


def _head(session: Session) -> AuditHead:
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    return head


def append(
    session: Session,
    *,
    at: datetime,
    actor_user_id: int | None,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    head = _head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at,
        actor_user_id=actor_user_id,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        prev_hash=head.hash,
    )
    entry.hash = _digest(head.hash, _fields(entry))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    return entry


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
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
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
