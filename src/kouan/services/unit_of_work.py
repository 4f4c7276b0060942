"""The unit of work: one transaction per use case, with its audit rows inside it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kouan.adapters.db import audit
from kouan.adapters.db.engine import session_factory
from kouan.config import Settings
from kouan.domain.errors import Conflict
from kouan.services.permissions import Actor


def utcnow() -> datetime:
    return datetime.now(UTC)


class UnitOfWork:
    """Opens a session; `commit` makes everything done inside it durable at once, or nothing."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        actor: Actor,
        now: datetime,
        write: bool,
        write_lock: AbstractContextManager[Any],
    ) -> None:
        self._sessions = sessions
        self._write_lock = write_lock
        self.actor = actor
        self.now = now
        self.write = write
        self._audit: list[dict[str, Any]] = []

    def __enter__(self) -> UnitOfWork:
        if self.write:
            self._write_lock.__enter__()
        self.session = self._sessions()
        if self.write:
            self.session.connection(execution_options={"kouan_write": True})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and keeps loaded objects readable.
        self.session.close()
        if self.write:
            self._write_lock.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        try:
            if self._audit:
                self.session.flush()
                audit.append_many(self.session, self._audit)
                self._audit = []
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(
                "someone else changed this record at the same time; reload and retry"
            ) from None

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: object,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Record a state change; the entries are chained and written when the unit commits."""
        self._audit.append(
            {
                "at": self.now,
                "actor_user_id": self.actor.user_id or None,
                "actor": self.actor.username,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "before": before,
                "after": after,
            }
        )


class ServiceContext:
    """What every use case needs: the database, the settings and the clock."""

    def __init__(
        self, engine: Engine, settings: Settings, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.sessions = session_factory(engine)
        self.cache: dict[str, Any] = {}
        # SQLite has one writer at a time: queueing writers on a lock here is fair and prompt,
        # where SQLite's busy handler would poll with growing sleeps. PostgreSQL locks rows itself.
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def uow(self, actor: Actor, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.sessions, actor, self.clock(), write, self._write_lock)
