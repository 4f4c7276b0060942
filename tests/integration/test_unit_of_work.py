"""The unit of work under concurrent writers, on SQLite (group commit) and PostgreSQL: whatever a
call was told is done is durable, a failing unit takes nothing else with it, the audit chain
holds; and the plain insert path stores what SQLAlchemy would."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kouan.adapters.db import audit, checkpoint
from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.group_commit import CommitFailed
from kouan.adapters.db.tables import AuditEntry, IdempotencyKey, PortCall, Review
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext, insert_plain, new_row
from kouan.services.ships import portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice


def _in_threads(jobs: Sequence[Callable[[], Any]]) -> Callable[[], list[Any]]:
    """Start each job in a thread of its own; the function returned waits for them and gives
    each job's result, or the exception it raised."""
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            results[index] = job()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()

    def finish() -> list[Any]:
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a writer never returned"
        return results

    return finish


def _queued(ctx: ServiceContext, count: int) -> None:
    """Wait until `count` writers queue behind the unit holding SQLite's write turn, so that
    they join its batch; on PostgreSQL writers do not queue, they run at once."""
    if ctx.group is None:
        return
    deadline = time.monotonic() + 30
    while ctx.group.queued < count:
        assert time.monotonic() < deadline, "the writers never queued"
        time.sleep(0.001)


def _fresh(ctx: ServiceContext) -> ServiceContext:
    """A context with an engine of its own: it sees only what was committed."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    return ServiceContext(make_engine(url), ctx.settings, ctx.wiring, ctx.clock)


def _key(actor: Actor, key: str, clock: Clock) -> IdempotencyKey:
    return IdempotencyKey(
        user_id=actor.user_id,
        key=key,
        request_hash="h",
        status_code=201,
        response={},
        created_at=clock.now,
    )


def _committed(ctx: ServiceContext) -> tuple[list[str], list[str], int]:
    """From a fresh connection: the idempotency keys, the audit actions, the port calls; and
    the audit chain checked whole."""
    fresh = _fresh(ctx)
    try:
        with fresh.sessions() as session:
            assert list(audit.verify(session)) == []
            keys = list(session.scalars(select(IdempotencyKey.key).order_by(IdempotencyKey.key)))
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
            calls = session.scalar(select(func.count()).select_from(PortCall)) or 0
    finally:
        fresh.engine.dispose()
    return keys, actions, calls


def test_writers_queued_behind_one_are_each_durable(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    agent = people["agent"]

    def file(n: int) -> Any:
        return portcalls.file_arrival(ctx, agent, arrival_notice(clock.now, voyage=f"V{n}"))

    with ctx.uow(agent) as holder:
        holder.session.add(_key(agent, "holder", clock))
        holder.audit("test.held", "test", 1, None, {"n": 1})
        finish = _in_threads([lambda n=n: file(n) for n in range(3)])
        _queued(ctx, 3)
        holder.commit()
    results = finish()
    assert [status for status, _ in results] == [201, 201, 201]
    keys, actions, calls = _committed(ctx)
    assert keys == ["holder"] and calls == 3
    assert actions.count("port_call.filed") == 3 and actions.count("test.held") == 1


def test_a_unit_failing_at_commit_undoes_only_its_own_work(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    agent = people["agent"]

    def duplicate_key() -> None:
        with ctx.uow(agent) as uow:
            uow.audit("test.doomed", "test", 2, None, {})
            uow.session.add(_key(agent, "taken", clock))
            uow.commit()

    with ctx.uow(agent) as holder:
        holder.session.add(_key(agent, "taken", clock))
        holder.session.flush()
        holder.audit("test.first", "test", 1, None, {})
        finish = _in_threads(
            [duplicate_key, lambda: portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))]
        )
        _queued(ctx, 2)
        holder.commit()
    doomed, (status, _) = finish()
    assert isinstance(doomed, IntegrityError)
    assert status == 201
    keys, actions, calls = _committed(ctx)
    assert keys == ["taken"] and calls == 1
    assert "test.first" in actions and "port_call.filed" in actions
    assert "test.doomed" not in actions


def test_a_unit_raising_undoes_only_its_own_work(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    agent = people["agent"]

    def raising() -> None:
        with ctx.uow(agent) as uow:
            uow.session.add(_key(agent, "raised", clock))
            uow.session.flush()
            raise ValueError("the use case refused")

    with ctx.uow(agent) as holder:
        holder.session.add(_key(agent, "kept", clock))
        finish = _in_threads([raising])
        _queued(ctx, 1)
        holder.commit()
    after = _in_threads([lambda: portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))])
    [raised], [(status, _)] = finish(), after()
    assert isinstance(raised, ValueError) and status == 201
    keys, _, calls = _committed(ctx)
    assert keys == ["kept"] and calls == 1


def test_a_unit_failing_alone_leaves_nothing_and_the_next_one_writes(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """Alone in its transaction a unit has no savepoint: its failure must still undo it whole,
    whether it raises or its commit fails."""
    agent = people["agent"]
    with ctx.uow(agent) as uow:
        uow.session.add(_key(agent, "taken", clock))
        uow.commit()
    with pytest.raises(ValueError), ctx.uow(agent) as uow:
        uow.session.add(_key(agent, "raised", clock))
        uow.session.flush()
        raise ValueError("the use case refused")
    with pytest.raises(IntegrityError), ctx.uow(agent) as uow:
        uow.audit("test.doomed", "test", 1, None, {})
        uow.session.add(_key(agent, "taken", clock))
        uow.commit()
    status, _ = portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))
    assert status == 201
    keys, actions, calls = _committed(ctx)
    assert keys == ["taken"] and calls == 1 and "test.doomed" not in actions


def test_same_idempotency_key_filed_twice_at_once_files_once(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    agent = people["agent"]
    notice = arrival_notice(clock.now)

    def file() -> Any:
        return portcalls.file_arrival(ctx, agent, notice, "key-1", "digest-a")

    with ctx.uow(agent) as holder:
        finish = _in_threads([file, file])
        _queued(ctx, 2)
        holder.commit()
    first, second = finish()
    assert first == second and first[0] == 201
    keys, _, calls = _committed(ctx)
    assert keys == ["key-1"] and calls == 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # group commit is SQLite's
def test_what_a_unit_was_told_is_done_survives_sqlite_rolling_back_a_batch(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error):
    every unit of that batch must fail, and the next writers start a new one."""
    assert ctx.group is not None
    agent = people["agent"]

    def broken() -> None:
        with ctx.uow(agent) as uow:
            uow.session.add(_key(agent, "broken", clock))
            uow.session.flush()
            uow.session.connection().exec_driver_sql("ROLLBACK")  # what SQLite did by itself
            raise OSError("disk I/O error")

    def file() -> Any:
        return portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))

    with pytest.raises(CommitFailed), ctx.uow(agent) as holder:
        holder.session.add(_key(agent, "holder", clock))
        finish = _in_threads([broken, file])
        _queued(ctx, 2)
        holder.commit()
    broke, filed = finish()
    assert isinstance(broke, Exception)
    keys, _, calls = _committed(ctx)
    assert keys == []
    # Whichever of the two writers ran first, the filing is durable exactly if it said so.
    assert calls == (0 if isinstance(filed, CommitFailed) else 1)


def test_a_unit_reads_after_its_commit(ctx: ServiceContext, people: People, clock: Clock) -> None:
    agent = people["agent"]
    with ctx.uow(agent) as uow:
        uow.session.add(_key(agent, "k", clock))
        uow.commit()
        assert uow.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_plain_inserts_store_what_the_orm_reads_back(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    agent = people["agent"]
    notice = arrival_notice(clock.now)
    call = new_row(
        PortCall,
        agent_org_id=agent.org_id,
        filed_by=agent.user_id,
        imo=notice.ship.imo,
        mmsi=notice.ship.mmsi,
        ship_name=notice.ship.name,
        voyage=notice.voyage,
        port=notice.port,
        berth=None,
        eta=notice.eta,
        etd=notice.etd,
        status="filed",
        filed_at=clock.now,
        arrival=notice.model_dump(mode="json"),
    )
    reviews = [
        new_row(
            Review,
            subject_type="port_call",
            phase="entry",
            agency=agency,
            status="pending",
            rules_hit=["X-1"],
            hits=[],
            rule_set=f"{agency} v1",
            created_at=clock.now,
        )
        for agency in ("CIQ", "MSA")
    ]
    with ctx.uow(agent) as uow:
        insert_plain(uow, PortCall, [call])
        for review in reviews:
            review["subject_id"] = call["id"]
        insert_plain(uow, Review, reviews)  # several rows: ids known ahead, one statement
        uow.commit()
    assert call["late"] is False and call["version"] == 1  # the columns' defaults, in the row
    review_ids = [r["id"] for r in reviews]
    assert review_ids == sorted(review_ids) and len(set(review_ids)) == 2
    with ctx.sessions() as session:
        stored = session.get(PortCall, call["id"])
        assert stored is not None
        assert (stored.eta, stored.filed_at, stored.arrival) == (
            call["eta"],
            call["filed_at"],
            call["arrival"],
        )
        assert (stored.late, stored.version, stored.berth) == (False, 1, None)
        read = [session.get(Review, i) for i in review_ids]
        assert [(r.agency, r.rules_hit, r.reason, r.version) for r in read if r] == [
            ("CIQ", ["X-1"], "", 1),
            ("MSA", ["X-1"], "", 1),
        ]


def test_plain_insert_errors_are_sqlalchemys(ctx: ServiceContext, people: People) -> None:
    agent = people["agent"]
    with ctx.uow(agent) as uow:
        call = new_row(PortCall, agent_org_id=agent.org_id)  # required columns missing
        with pytest.raises(IntegrityError):
            insert_plain(uow, PortCall, [call])


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the WAL is SQLite's
def test_committed_filings_reach_the_database_file_without_a_writer_checkpointing(
    ctx: ServiceContext, people: People, clock: Clock, tmp_path: Path
) -> None:
    """Writers only append to the write-ahead log; the checkpointer's thread copies it back
    into the database file shortly after (a copy of the file alone then holds the filings)."""
    database = Path(ctx.engine.url.database or "")
    with ctx.engine.connect() as conn:
        fallback = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert fallback == checkpoint.FALLBACK_PAGES
    agent = people["agent"]
    for _ in range(3):
        portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))

    def calls_in_file_alone() -> int:
        copy = tmp_path / "file-alone.db"
        shutil.copy(database, copy)  # without kouan.db-wal: only what was checkpointed
        with closing(sqlite3.connect(copy)) as conn:
            return int(conn.execute("SELECT count(*) FROM port_calls").fetchone()[0])

    deadline = time.monotonic() + 5
    while calls_in_file_alone() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert calls_in_file_alone() == 3


def test_an_idle_checkpointer_stops_its_thread_and_the_next_commit_starts_it(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "IDLE_S", 0.05)
    monkeypatch.setattr(checkpoint, "DELAY_S", 0.0)
    done = threading.Event()
    checkpointer = checkpoint.Checkpointer(ctx.engine)
    monkeypatch.setattr(checkpointer, "checkpoint", done.set)
    checkpointer.committed()
    assert done.wait(2)
    deadline = time.monotonic() + 2
    while checkpointer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer._thread is None  # idle: no thread left behind
    done.clear()
    checkpointer.committed()
    assert done.wait(2)
