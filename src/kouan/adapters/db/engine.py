"""Engines and sessions: SQLite in WAL mode by default, PostgreSQL through a URL."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kouan.adapters.db import plain
from kouan.adapters.db.checkpoint import FALLBACK_PAGES
from kouan.domain.canonical import JsonText


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off so that BEGIN is ours to issue (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits. With synchronous=NORMAL a COMMIT appends
    # to the WAL without an fsync: a committed filing survives the application crashing, and
    # the database is never corrupted, but a power cut may undo the last commits before the
    # next checkpoint. FULL would fsync every COMMIT (a batch's, under group commit), which the
    # filing rate target does not afford on ordinary disks; a port that needs power-cut
    # durability runs PostgreSQL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints are the Checkpointer's (kouan.adapters.db.checkpoint), not the committing
    # writer's; a connection checkpoints by itself only if that thread falls far behind.
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
    # A savepoint journals every page its unit changes; in memory, not in a temporary file.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A writing unit of work takes the write lock at BEGIN, so concurrent writers queue on the
    # busy timeout instead of failing when a read transaction upgrades; readers stay deferred.
    writing = conn.get_execution_options().get("kouan_write", False)
    plain.run_sql(conn, "BEGIN IMMEDIATE" if writing else "BEGIN")


def _savepoints_on_driver(engine: Engine) -> None:
    """Savepoints issued on the driver. Each SAVEPOINT has a new name, so SQLAlchemy compiles
    every one anew: some 100 µs a unit of work in a group commit, where the driver takes 5."""

    def savepoint(conn: Connection, name: str) -> None:
        plain.run_sql(conn, f'SAVEPOINT "{name}"')

    def rollback_to(conn: Connection, name: str) -> None:
        plain.run_sql(conn, f'ROLLBACK TO SAVEPOINT "{name}"')
        # SQLite keeps a savepoint open after rolling back to it; a batch would pile them up.
        plain.run_sql(conn, f'RELEASE SAVEPOINT "{name}"')

    def release(conn: Connection, name: str) -> None:
        plain.run_sql(conn, f'RELEASE SAVEPOINT "{name}"')

    # The dialect is this engine's own instance: no other engine is affected.
    engine.dialect.do_savepoint = savepoint  # type: ignore[method-assign,assignment]
    engine.dialect.do_rollback_to_savepoint = rollback_to  # type: ignore[method-assign,assignment]
    engine.dialect.do_release_savepoint = release  # type: ignore[method-assign,assignment]


def _json(value: Any) -> str:
    """JSON columns' text, by pydantic's serializer: a third of the standard library's time on
    a filed document. Compact and UTF-8; it also writes what json.dumps refuses (datetimes as
    ISO 8601, NaN as null), which no Kouan document holds. A document serialised already
    (JsonText) is stored as it is."""
    if isinstance(value, JsonText):
        return str(value)
    return to_json(value).decode()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_json,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        _savepoints_on_driver(engine)
        return engine
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=_json
    )


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
