"""Group commit on SQLite: writers that queue while one writes share its transaction and its
COMMIT.

SQLite has one writer at a time, and a COMMIT costs about as much as a whole filing's
statements (it writes every page the transaction touched to the WAL). Units of work that arrive
while another holds the write lock therefore run, one after the other, in the same transaction;
the last of them commits for all. A unit that runs where others' work already is does so in a
SAVEPOINT of its own, so that its failure undoes it alone; every unit returns only once the
shared COMMIT succeeded (or raises if it failed), so what a caller is told is done is durable.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from kouan.adapters.db.checkpoint import Checkpointer


class CommitFailed(RuntimeError):
    """The transaction a unit of work shared with others could not be committed: nothing of it
    was written."""


@dataclass
class Batch:
    """One transaction that one or more units of work write in, one after the other."""

    conn: Connection
    units: int = 0  # that joined it
    released: int = 0  # that committed their work into it
    committed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    @property
    def holds_work(self) -> bool:
        """Whether units' committed work is in the transaction: a unit joining now needs a
        SAVEPOINT so as not to take that work with it if it fails."""
        return self.released > 0


class GroupCommit:
    """The writing side of one SQLite database: one unit of work writes at a time, on the open
    batch's connection; whoever finishes with no one queued behind it (or fills the batch)
    commits it."""

    def __init__(self, engine: Engine, max_units: int = 32) -> None:
        self._engine = engine
        self._checkpointer = Checkpointer(engine)
        self._max_units = max_units  # bounds how long the first unit of a batch waits
        self._turn = threading.Lock()  # held by the unit writing now
        self._queue_lock = threading.Lock()
        self._queued = 0
        self._batch: Batch | None = None

    @property
    def queued(self) -> int:
        """Units of work waiting for their turn to write."""
        return self._queued

    def join(self) -> Batch:
        """Wait for the turn to write; the open batch, begun (BEGIN IMMEDIATE) if none is."""
        with self._queue_lock:
            self._queued += 1
        self._turn.acquire()
        with self._queue_lock:
            self._queued -= 1
        try:
            if self._batch is not None and not _in_transaction(self._batch):
                # A unit's error made SQLite roll the batch back: fail its units, start anew.
                _commit(self._batch)
                self._batch = None
            if self._batch is None:
                self._batch = Batch(self._begin())
        except BaseException:
            self._turn.release()
            raise
        self._batch.units += 1
        return self._batch

    def leave(self, batch: Batch, committed: bool) -> None:
        """The unit holding the turn is done, having `committed` its work into the batch or
        not. Hand the turn to the next unit queued, or commit the batch if none is (or it is
        full); return once the batch is committed, raising CommitFailed if it could not be."""
        if committed:
            batch.released += 1
        elif not batch.holds_work:
            # The unit was alone in the transaction, without a savepoint: ending the batch
            # (its connection closed, which rolls back) undoes its work and nothing else's.
            self._batch = None
            _close(batch)
            self._turn.release()
            return
        with self._queue_lock:
            hand_on = self._queued > 0 and batch.units < self._max_units
        if not hand_on:
            self._batch = None
            _commit(batch)
            self._checkpointer.committed()
        self._turn.release()
        batch.committed.wait()
        if batch.error is not None:
            raise CommitFailed(f"the shared transaction was not committed: {batch.error}")

    def _begin(self) -> Connection:
        conn = self._engine.connect().execution_options(kouan_write=True)
        try:
            conn.begin()
        except BaseException:
            conn.close()
            raise
        return conn


def _commit(batch: Batch) -> None:
    """Commit the batch and wake its units; what went wrong is kept for them, not raised here
    (the committing thread must still hand on the turn)."""
    try:
        # SQLite rolls a transaction back by itself on some errors (a full disk, say); the
        # driver's commit would then do nothing and the batch would be lost without a word.
        if not _in_transaction(batch):
            raise CommitFailed("SQLite rolled the shared transaction back")
        batch.conn.commit()
    except BaseException as error:
        batch.error = error
    finally:
        _close(batch)


def _close(batch: Batch) -> None:
    """Close the batch's connection (rolling back whatever it did not commit) and wake its
    units."""
    with suppress(Exception):
        batch.conn.close()
    batch.committed.set()


def _in_transaction(batch: Batch) -> bool:
    return bool(batch.conn.connection.driver_connection.in_transaction)  # type: ignore[union-attr]
