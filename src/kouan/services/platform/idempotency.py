"""Idempotent writes: a request retried with the same Idempotency-Key gets the first answer.

The key is stored in the same transaction as the write it protects, so a retry racing the
original either finds the stored answer or loses on the unique constraint and then finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kouan.adapters.db.tables import IdempotencyKey
from kouan.domain.canonical import digest
from kouan.domain.errors import ValidationFailed
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

Answer = tuple[int, dict[str, Any]]


def request_hash(method: str, path: str, body: Any) -> str:
    return digest(body, f"{method} {path} ")


def _stored(uow: UnitOfWork, key: str, digest: str) -> Answer | None:
    row = uow.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == uow.actor.user_id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise ValidationFailed.one(
            "Idempotency-Key", key, "a new key: this one was used for a different request"
        )
    return row.status_code, row.response


def run_idempotent(
    ctx: ServiceContext,
    actor: Actor,
    key: str | None,
    digest: str,
    work: Callable[[UnitOfWork], Answer],
) -> Answer:
    """Run the use case `work` in a unit of work of its own and commit it, unless `key` already
    holds an answer; the key and the answer are stored in the same transaction as the work."""
    if key is not None and len(key) > 120:
        raise ValidationFailed.one("Idempotency-Key", key[:20] + "...", "at most 120 characters")
    with ctx.uow(actor) as uow:
        previous = _stored(uow, key, digest) if key is not None else None
        if previous is not None:
            return previous
        status, body = work(uow)
        if key is not None:
            uow.session.add(
                IdempotencyKey(
                    user_id=actor.user_id,
                    key=key,
                    request_hash=digest,
                    status_code=status,
                    response=body,
                    created_at=uow.now,
                )
            )
        try:
            uow.commit()
        except IntegrityError:
            if key is None:
                raise
            uow.session.rollback()
            # The same key committed meanwhile by a retry racing this one: its answer stands.
            with ctx.uow(actor, write=False) as again:
                previous = _stored(again, key, digest)
            if previous is None:
                raise
            return previous
    return status, body
