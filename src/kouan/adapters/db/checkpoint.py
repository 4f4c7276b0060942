"""WAL checkpoints on SQLite in a thread of their own, off the writers' path.

In WAL mode a COMMIT appends pages to the write-ahead log, and by default the COMMIT that takes
the log past 1,000 pages also copies the log back into the database (a checkpoint) and syncs it:
about a third of a filing's time on average, paid by whichever writer happened to cross the
line. Here writers only append, and this thread copies the log back a moment after commits,
while the writers go on (a PASSIVE checkpoint takes no lock a writer or reader waits for). Each
page is copied once however often it changed in between, and on a second core the copying runs
beside the writers, since SQLite releases Python's interpreter lock while it works.

Should this thread fall behind, every connection still checkpoints by itself once the log holds
`FALLBACK_PAGES` (see kouan.adapters.db.engine), so the log stays bounded.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

# A connection's own checkpoint threshold, in pages of the log: the fallback, ten times SQLite's.
FALLBACK_PAGES = 10_000
# How long after a commit the log is copied back: the commits meanwhile share the copying.
DELAY_S = 0.2
# An idle checkpointer's thread ends after this long without commits (started again by the next).
IDLE_S = 5.0


class Checkpointer:
    """Copies one SQLite database's write-ahead log back into it after commits."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._committed = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A transaction was committed: its pages are copied back shortly."""
        self._committed.set()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kouan-wal-checkpoint", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            if not self._committed.wait(IDLE_S):
                with self._lock:
                    # A commit between the wait's end and here set the event: go on.
                    if not self._committed.is_set():
                        self._thread = None
                        return
            self._committed.clear()
            threading.Event().wait(DELAY_S)
            self.checkpoint()

    def checkpoint(self) -> None:
        """Copy what the log holds back into the database, without waiting for anyone."""
        try:
            raw = self._engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        except Exception:
            # Writers checkpoint by themselves past FALLBACK_PAGES: nothing is lost meanwhile.
            log.exception("WAL checkpoint failed")
