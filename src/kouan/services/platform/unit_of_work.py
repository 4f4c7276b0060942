"""The unit of work: one transaction per use case, with its audit rows inside it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext, suppress
from datetime import UTC, datetime
from functools import cache, lru_cache
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, NestedTransaction, Select, bindparam, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kouan.adapters.db import audit, outbox_rows, plain
from kouan.adapters.db.engine import session_factory
from kouan.adapters.db.group_commit import Batch, CommitFailed, GroupCommit
from kouan.adapters.db.tables import Base
from kouan.config import Settings, audit_key
from kouan.domain.errors import Conflict
from kouan.services.platform.messagebus import Wiring
from kouan.services.platform.permissions import Actor


def utcnow() -> datetime:
    return datetime.now(UTC)


@cache
def _blank_row(model: type[Base]) -> dict[str, Any]:
    """Every column of a model's table but the id, at its scalar default or None."""
    columns = (c for c in model.__table__.columns if c.key != "id")
    return {
        c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in columns
    }


def new_row(model: type[Base], **values: Any) -> dict[str, Any]:
    """A new row of `model`'s table as a plain dict, its column defaults filled in: what the
    hot paths of filing build and insert with `insert_plain`, skipping the ORM's objects."""
    return {**_blank_row(model), **values}


@cache
def _id_queries(model: type[Base]) -> tuple[Select[Any], Select[Any]]:
    """The last id, and the next `count` ids of the PostgreSQL sequence."""
    sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
    next_ids = select(func.nextval(sequence)).select_from(
        func.generate_series(1, bindparam("count"))
    )
    return select(func.max(model.__table__.c.id)), next_ids


def insert_plain(uow: UnitOfWork, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows on the driver (see kouan.adapters.db.plain), as few round trips as the
    database allows, and give each its new id (ascending in the rows' order)."""
    conn = uow.connection()
    table = model.__table__
    ids = _ids_ahead(uow, conn, model, len(rows))
    if ids is None:
        returning = plain.insert_statement(table, conn.dialect, returning_id=True)
        for row in rows:
            row["id"] = int(plain.fetch(conn, returning, row)[0][0])
        return
    for row, row_id in zip(rows, ids, strict=True):
        row["id"] = row_id
    plain.run(conn, plain.insert_statement(table, conn.dialect, returning_id=False), rows)


def _ids_ahead(
    uow: UnitOfWork, conn: Connection, model: type[Base], count: int
) -> list[int] | None:
    """The ids of `count` new rows, known before they are inserted; None for a single row (its
    INSERT ... RETURNING is as cheap) and where they cannot be known."""
    if count < 2:
        return None
    last_id, next_ids = _id_queries(model)
    if conn.dialect.name == "postgresql":
        # Many rows' INSERT ... RETURNING is one huge statement a thousand rows, which the driver
        # rewrites in Python. Ids drawn from the sequence first (ours alone, as all it gives) let
        # the driver send the plain INSERT for every row in one pipeline.
        drawn = plain.fetch(conn, _plain(next_ids, conn.dialect), {"count": count})
        return sorted(int(row[0]) for row in drawn)
    if conn.dialect.name == "sqlite" and uow.write:
        # SQLite cannot say in which order many rows' RETURNING comes, so SQLAlchemy would insert
        # row by row. A writing unit holds SQLite's only write lock from BEGIN IMMEDIATE: no one
        # else inserts until it commits, so the next ids are ours to give.
        last = plain.fetch(conn, _plain(last_id, conn.dialect), {})[0][0] or 0
        return list(range(last + 1, last + 1 + count))
    return None


@lru_cache(maxsize=256)
def _plain(statement: Select[Any], dialect: Dialect) -> plain.PlainStatement:
    return plain.compile_plain(statement, dialect)


class UnitOfWork:
    """A transaction per use case; `commit` makes everything done inside it durable at once, or
    nothing.

    On SQLite a writing unit runs in a batch of the group commit (see
    kouan.adapters.db.group_commit), inside a SAVEPOINT of its own where others' work is already
    in the batch; elsewhere, and for reading, it has a transaction of its own. The ORM session is
    made on first use: a use case writing only plain rows (filing) never pays for one.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        actor: Actor,
        now: datetime,
        write: bool,
        group: GroupCommit | None,
        settings: Settings,
        wiring: Wiring,
        cache: dict[str, Any] | None = None,
    ) -> None:
        self._sessions = sessions
        self.settings = settings
        self.wiring = wiring
        # The service context's, shared by its units: what is built once per process (rule
        # sets, the watch list's index) and checked against the database for staleness.
        self.cache: dict[str, Any] = {} if cache is None else cache
        self._group = group if write else None
        self._batch: Batch | None = None
        self._savepoint: NestedTransaction | None = None
        self._session: Session | None = None
        self._left_batch = False
        self.actor = actor
        self.now = now
        self.write = write
        self._audit: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self._conn: Connection | None = None

    @property
    def session(self) -> Session:
        """The unit's ORM session, in the unit's transaction (made on first use)."""
        if self._session is None:
            self._session = self._new_session()
        return self._session

    def _new_session(self) -> Session:
        if self._batch is not None:
            # In the unit's own savepoint where it has one (the session's commit then
            # releases a savepoint of its own inside it), else in the batch's transaction.
            mode = "create_savepoint" if self._savepoint is not None else "rollback_only"
            return self._sessions(bind=self._batch.conn, join_transaction_mode=mode)
        session = self._sessions()
        if self.write and not self._left_batch:  # after its batch a unit only reads
            session.connection(execution_options={"kouan_write": True})
        return session

    def connection(self) -> Connection:
        """The unit's connection, for plain statements (see kouan.adapters.db.plain); in a
        batch its own, without a session."""
        if self._conn is None:
            self._conn = self._batch.conn if self._batch is not None else self.session.connection()
        return self._conn

    def __enter__(self) -> UnitOfWork:
        if self._group is not None:
            self._batch = self._group.join()
            # Where others' work is in the transaction, a SAVEPOINT of its own lets the unit
            # fail alone. Otherwise its rollback is the transaction's: a savepoint would cost
            # SQLite a journal of every page the unit changes, a tenth of a filing.
            if self._batch.holds_work:
                self._savepoint = self._batch.conn.begin_nested()
            return self
        if self.write:
            self.session  # noqa: B018 - a writer takes its write lock now, as SQLite's BEGIN IMMEDIATE
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._conn = None
        try:
            # close() rolls back whatever was not committed (in a batch: to the unit's
            # savepoint; without one, leaving the batch does) and keeps loaded objects readable.
            if self._session is not None:
                self._session.close()
            if self._savepoint is not None and self._savepoint.is_active:
                self._savepoint.rollback()
        finally:
            if self._batch is not None:
                # A unit that did not commit waits for its batch too: what it read and answers
                # may be another unit's work, not durable before the batch is. Its own error,
                # if any, is the one to raise.
                with suppress(CommitFailed) if exc is not None else nullcontext():
                    self._leave_batch(committed=False)

    def commit(self) -> None:
        try:
            if self._session is not None:
                self._session.flush()
            if self._audit:
                audit.append_many(self.connection(), self._audit, audit_key(self.settings))
                self._audit = []
            if self.outbox:
                # In the same transaction as the change they announce: both or neither.
                outbox_rows.append_many(self.connection(), self.outbox)
                self.outbox = []
            self._conn = None
            if self._session is not None:
                self._session.commit()
            if self._savepoint is not None:
                self._savepoint.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(
                "someone else changed this record at the same time; reload and retry"
            ) from None
        if self._batch is not None:
            self._leave_batch(committed=True)

    def _leave_batch(self, committed: bool) -> None:
        """Give up the batch's connection and wait until the batch is committed."""
        assert self._batch is not None and self._group is not None
        batch, self._batch = self._batch, None
        self._savepoint, self._left_batch = None, True
        # Whatever the use case still reads after this, it reads on a connection of its own.
        if self._session is not None:
            self._session.bind = batch.conn.engine
        self._group.leave(batch, committed)

    def publish(self, event: object) -> None:
        """Hand a domain event to its handlers, inside this unit of work."""
        self.wiring.publish(self, event)

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
    """What every use case needs: the database, the settings, the wiring and the clock
    (made by kouan.bootstrap.service_context)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        wiring: Wiring,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.wiring = wiring
        self.settings = settings
        # A missing or short audit key stops Kouan here, not at the first write.
        audit_key(settings)
        self.clock = clock
        self.sessions = session_factory(engine)
        self.cache: dict[str, Any] = {}
        # SQLite has one writer at a time: writers queue here, which is fair and prompt where
        # SQLite's busy handler would poll with growing sleeps, and those that queue share one
        # transaction and its COMMIT. PostgreSQL locks rows itself and commits concurrently.
        self.group = GroupCommit(engine) if engine.dialect.name == "sqlite" else None

    @property
    def embedded(self) -> bool:
        """The database is a file of this machine (SQLite): a read takes microseconds and never
        waits on a network."""
        return self.group is not None

    def uow(self, actor: Actor, write: bool = True) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            actor,
            self.clock(),
            write,
            self.group,
            self.settings,
            self.wiring,
            self.cache,
        )
