"""The keyed audit chain on SQLite and PostgreSQL: every way of rewriting it quietly (an edited
row with the later hashes recomputed, rows cut from the end with the head moved back, a deleted
head) is found by verify and named; writes go on without a head; a restore begins a recorded
epoch; rows chained before keys verify as epoch 0; checkpoints go to a file and to NATS."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import Connection, column, insert, select, table, text
from typer.testing import CliRunner

from kouan.adapters import audit_checkpoints, blocking
from kouan.adapters.db import audit
from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.adapters.db.tables import AuditEntry
from kouan.bootstrap import service_context
from kouan.cli import app
from kouan.config import Settings, get_settings
from kouan.domain.canonical import digest
from kouan.services.platform import audit_chain
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import AUDIT_KEY, Clock, People
from tests.factories import arrival_notice

NATS_URL = os.environ.get("KOUAN_TEST_NATS_URL", "nats://127.0.0.1:4222")
runner = CliRunner()
# The audit log as it was before keys (migration 0003): no epochs.
BEFORE_KEYS = table(
    "audit_log", *(column(c.name, c.type) for c in AuditEntry.__table__.c if c.name != "epoch")
)


def _context(ctx: ServiceContext, clock: Clock, **settings: Any) -> ServiceContext:
    """The test's database with settings of the test's own (its checkpoint file, say)."""
    merged = {**ctx.settings.model_dump(), "audit_key": AUDIT_KEY, **settings}
    return service_context(ctx.engine, Settings(**merged), clock)


@pytest.fixture
def chain(ctx: ServiceContext, clock: Clock, tmp_path: Path) -> ServiceContext:
    """The test's context, checkpointing to a file of the test's own (no NATS)."""
    return _context(ctx, clock, audit_checkpoint_file=tmp_path / "checkpoints.jsonl")


def _write(ctx: ServiceContext, people: People, count: int, clock: Clock) -> None:
    """`count` units of work, each auditing one change."""
    for n in range(count):
        clock.advance(minutes=1)
        with ctx.uow(people["customs"]) as uow:
            uow.audit("test.changed", "test", n, None, {"n": n})
            uow.commit()


def _last_seq(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text("SELECT max(seq) FROM audit_log")).scalar_one())


def _problems(ctx: ServiceContext) -> list[str]:
    return [f"{b.where}: {b.problem}" for b in audit_chain.verify(ctx).problems]


def _cut_from(conn: Connection, seq: int) -> None:
    """What whoever can write the database does to cut the end: delete the rows from `seq`
    and move the head back to the row before."""
    conn.execute(text("DELETE FROM audit_log WHERE seq >= :seq"), {"seq": seq})
    before = conn.execute(
        text("SELECT epoch, seq, hash FROM audit_log WHERE seq = :seq"), {"seq": seq - 1}
    ).one()
    conn.execute(
        text("UPDATE audit_head SET epoch = :epoch, seq = :seq, hash = :hash"), before._asdict()
    )


def test_a_written_chain_verifies_keyed_and_checkpointed(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 3, clock)
    made = audit_chain.checkpoint(chain)
    assert made is not None and made.seq == _last_seq(chain)
    assert audit_chain.checkpoint(chain) is None, "an unmoved chain is not checkpointed again"
    report = audit_chain.verify(chain)
    assert report.intact, report.problems
    assert [(e.epoch, e.keyed, e.checked) for e in report.epochs] == [(1, True, True)]
    assert report.anchored == made
    with chain.engine.connect() as conn:
        first = conn.execute(select(AuditEntry).order_by(AuditEntry.seq).limit(1)).one()
    assert first.action == audit.EPOCH_STARTED and first.after["reason"] == audit.KEYS_BEGIN


def test_an_edited_row_with_every_later_hash_recomputed_is_named(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 4, clock)
    edited = _last_seq(chain) - 2
    with chain.engine.begin() as conn:
        rows = conn.execute(
            select(AuditEntry.__table__).where(AuditEntry.seq >= edited).order_by(AuditEntry.seq)
        ).all()
        prev_hash = rows[0].prev_hash
        for row in rows:
            values = row._asdict()
            if row.seq == edited:
                values["actor"] = "mallory"
            # Without the key, the best an attacker can do: rehash as the chain once was.
            values["prev_hash"] = prev_hash
            values["hash"] = prev_hash = digest(audit._fields(values), prev_hash)
            conn.execute(
                text(
                    "UPDATE audit_log SET actor = :actor, prev_hash = :prev_hash, hash = :hash "
                    "WHERE seq = :seq"
                ),
                values,
            )
        conn.execute(text("UPDATE audit_head SET hash = :hash"), {"hash": prev_hash})
    problems = _problems(chain)
    assert problems[0] == (
        f"row {edited}: contents do not match the row's hash (edited, or rehashed without the key)"
    )
    assert not any("prev_hash" in p or "head" in p for p in problems)


def test_rows_cut_from_the_end_with_the_head_moved_back_are_found_by_the_checkpoint(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 4, clock)
    made = audit_chain.checkpoint(chain)
    assert made is not None
    with chain.engine.begin() as conn:
        _cut_from(conn, made.seq - 1)
    source = f"{chain.settings.audit_checkpoint_file}:1"
    assert _problems(chain) == [
        f"checkpoint {source}: names row {made.seq} of epoch 1 ({made.at}), but the chain ends "
        f"at row {made.seq - 2} of epoch 1: rows cut from the end"
    ]
    # Writing on over the cut does not hide it: the checkpoint's row now has another hash.
    _write(chain, people, 3, clock)
    problems = _problems(chain)
    assert len(problems) == 1 and problems[0].startswith(f"row {made.seq}: checkpoint {source}")
    assert "were replaced" in problems[0]


def test_a_deleted_head_is_reported_and_writes_go_on(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 2, clock)
    last = _last_seq(chain)
    with chain.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    assert _problems(chain) == [
        f"head: the head (audit_head) is missing; the chain's last row is {last} (the next write "
        "re-establishes it and records that it was missing)"
    ]
    status, call = portcalls.file_arrival(chain, people["agent"], arrival_notice(clock.now))
    assert status == 201 and call["id"]
    assert _problems(chain) == [
        f"row {last + 1}: the head (audit_head) was missing when this row was written; it was "
        f"re-established at row {last}"
    ]
    _write(chain, people, 1, clock)
    assert len(_problems(chain)) == 1


def test_a_deleted_head_and_rows_cut_after_a_checkpoint_are_both_named(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 3, clock)
    made = audit_chain.checkpoint(chain)
    assert made is not None
    with chain.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :seq"), {"seq": made.seq})
        conn.execute(text("DELETE FROM audit_head"))
    problems = _problems(chain)
    assert any(p.startswith("head: the head (audit_head) is missing") for p in problems)
    assert any(f"names row {made.seq} of epoch 1" in p for p in problems)


def test_a_restore_begins_a_recorded_epoch_and_its_lost_rows_show_as_its_boundary(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 2, clock)
    backed_up = _last_seq(chain)
    _write(chain, people, 3, clock)
    made = audit_chain.checkpoint(chain)
    assert made is not None
    with chain.engine.begin() as conn:  # the database as the backup held it
        _cut_from(conn, backed_up + 1)
    assert audit_chain.start_epoch(chain, "restored the backup of 03:00") == 2
    _write(chain, people, 1, clock)
    report = audit_chain.verify(chain)
    assert report.intact, report.problems
    second = report.epochs[-1]
    assert (second.epoch, second.first_seq) == (2, backed_up + 1)
    assert second.record is not None
    assert second.record["follows"]["seq"] == backed_up
    assert second.record["last_checkpoint"]["seq"] == made.seq
    assert any(
        f"epoch 2 began at row {backed_up + 1} (restored the backup of 03:00): rows "
        f"{backed_up + 1}..{made.seq} of epoch 1" in note
        for note in report.notes
    )
    lines = chain.settings.audit_checkpoint_file.read_text().splitlines()
    assert '"reason":"restored the backup of 03:00"' in lines[-1], "the file records the epoch"


def test_a_forged_or_garbled_checkpoint_is_named(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 2, clock)
    made = audit_chain.checkpoint(chain)
    assert made is not None
    path = chain.settings.audit_checkpoint_file
    forged = made.to_json().replace(f'"seq":{made.seq}', f'"seq":{made.seq + 5}')
    path.write_text(made.to_json() + "\n" + forged + "\n" + "not json\n")
    garbled, forgery = _problems(chain)
    assert garbled.startswith(f"checkpoint {path}:3: not a checkpoint (JSONDecodeError")
    assert forgery == f"checkpoint {path}:2: its signature does not hold: forged or altered"


def test_a_chain_made_with_another_key_is_not_taken_for_intact(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 1, clock)
    other = _context(chain, clock, audit_key="another-key-" + "z" * 32)
    problems = _problems(other)
    assert problems and "was keyed with key" in problems[0] and "not the configured" in problems[0]


def _legacy_chain(conn: Connection, rows: int) -> str:
    """The chain as Kouan wrote it before keys: unkeyed SHA-256, no epochs. Its last hash."""
    conn.execute(text("DELETE FROM audit_log"))
    conn.execute(text("DELETE FROM audit_head"))
    prev_hash = audit.GENESIS
    for seq in range(1, rows + 1):
        row = {
            "seq": seq,
            "epoch": 0,
            "at": Clock().now,
            "actor_user_id": None,
            "actor": "old",
            "action": "test.before_keys",
            "entity_type": "test",
            "entity_id": str(seq),
            "before": None,
            "after": {"n": seq},
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = digest(audit._fields(row), prev_hash)
        conn.execute(AuditEntry.__table__.insert().values(**row))
    conn.execute(
        text("INSERT INTO audit_head (id, epoch, seq, hash) VALUES (1, 0, :seq, :hash)"),
        {"seq": rows, "hash": prev_hash},
    )
    return prev_hash


def test_rows_chained_before_keys_verify_as_epoch_zero_and_anchor_epoch_one(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    with chain.engine.begin() as conn:
        last_unkeyed = _legacy_chain(conn, 5)
    assert audit_chain.verify(chain).intact
    _write(chain, people, 2, clock)
    report = audit_chain.verify(chain)
    assert report.intact, report.problems
    zero, one = report.epochs
    assert (zero.epoch, zero.keyed, zero.first_seq, zero.last_seq) == (0, False, 1, 5)
    assert (one.epoch, one.keyed, one.first_seq) == (1, True, 6)
    assert one.record is not None
    assert one.record["follows"] == {"epoch": 0, "seq": 5, "hash": last_unkeyed}
    # An unkeyed row rehashed with every unkeyed row after it: the keyed anchor finds it.
    with chain.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
        prev_hash = None
        for seq in range(2, 6):
            values = (
                conn.execute(select(AuditEntry.__table__).where(AuditEntry.seq == seq)).one()
            )._asdict()
            values["prev_hash"] = prev_hash or values["prev_hash"]
            prev_hash = digest(audit._fields(values), values["prev_hash"])
            conn.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": values["prev_hash"], "h": prev_hash, "s": seq},
            )
    assert _problems(chain) == ["row 6: prev_hash does not match the row before"]


def test_keyed_rows_turned_back_into_unkeyed_ones_are_found(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    _write(chain, people, 2, clock)
    last = _last_seq(chain)
    with chain.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET epoch = 0 WHERE seq = :seq"), {"seq": last})
    assert _problems(chain)[0] == f"row {last}: belongs to epoch 0, but epoch 1 began at row 1"


def test_the_cli_verifies_names_what_breaks_and_exits_non_zero(
    chain: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    monkeypatch.setenv("KOUAN_AUDIT_CHECKPOINT_FILE", str(chain.settings.audit_checkpoint_file))
    get_settings.cache_clear()
    try:
        _write(chain, people, 2, clock)
        made = runner.invoke(app, ["audit", "checkpoint"])
        assert made.exit_code == 0 and "checkpoint: row" in made.output, made.output
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "epoch 1: rows 1.." in ok.output and "HMAC-SHA256 checked" in ok.output
        assert "1 checkpoints in" in ok.output and ok.output.rstrip().endswith("audit log intact")
        with chain.engine.begin() as conn:
            _cut_from(conn, _last_seq(chain))
        broken = runner.invoke(app, ["audit", "verify"])
        assert broken.exit_code == 1
        assert f"checkpoint {chain.settings.audit_checkpoint_file}:1: names row" in broken.output
        assert "rows cut from the end" in broken.output and "intact" not in broken.output
    finally:
        get_settings.cache_clear()


def test_the_checkpoint_job_signs_the_chain_as_it_grows(
    chain: ServiceContext, people: People, clock: Clock
) -> None:
    path = chain.settings.audit_checkpoint_file
    stop = threading.Event()
    job = threading.Thread(target=audit_chain.run_checkpoints, args=(chain, 0.05, stop))
    job.start()
    try:
        for _ in range(2):
            _write(chain, people, 1, clock)
            _wait_for(lambda: audit_checkpoints.last_in_file(path), _last_seq(chain))
    finally:
        stop.set()
        job.join(timeout=10)
    assert not job.is_alive()
    # Each write signed once (and the rows before, if the job's first round came first): an
    # unmoved chain is not signed again.
    seqs = [c.seq for c in audit_checkpoints.read_file(path).checkpoints]
    last = _last_seq(chain)
    assert seqs[-2:] == [last - 1, last] and seqs == sorted(set(seqs))


def _wait_for(last: Callable[[], audit.Checkpoint | None], seq: int) -> None:
    deadline = time.monotonic() + 10
    while (made := last()) is None or made.seq != seq:
        assert time.monotonic() < deadline, f"no checkpoint of row {seq}"
        time.sleep(0.02)


def test_the_cli_begins_an_epoch(
    chain: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    monkeypatch.setenv("KOUAN_AUDIT_CHECKPOINT_FILE", str(chain.settings.audit_checkpoint_file))
    get_settings.cache_clear()
    try:
        _write(chain, people, 1, clock)
        begun = runner.invoke(app, ["audit", "new-epoch", "--reason", "restored kouan.backup.gz"])
        assert begun.exit_code == 0 and "epoch 2 begun" in begun.output, begun.output
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "epoch 2: rows" in ok.output and "restored kouan.backup.gz" in ok.output
    finally:
        get_settings.cache_clear()


@pytest.fixture
def on_nats(chain: ServiceContext, clock: Clock) -> Iterator[ServiceContext]:
    """The test's context publishing checkpoints to NATS on a subject of its own; the stream
    made for it is deleted afterwards. NATS runs on this machine and in CI: unreachable, the
    test fails."""
    subject = f"kouan.audit.test{uuid.uuid4().hex[:12]}.checkpoint"
    yield _context(chain, clock, nats_url=NATS_URL, audit_checkpoint_subject=subject)

    async def delete() -> None:
        client = await nats.connect(NATS_URL)
        await client.jetstream().delete_stream(audit_checkpoints.stream_name(subject))
        await client.close()

    blocking.run(delete())


def test_checkpoints_on_nats_find_a_cut_even_when_the_file_is_cut_too(
    on_nats: ServiceContext, people: People, clock: Clock
) -> None:
    settings = on_nats.settings
    _write(on_nats, people, 3, clock)
    made = audit_chain.checkpoint(on_nats)
    assert made is not None
    read = audit_checkpoints.read_stream(str(settings.nats_url), settings.audit_checkpoint_subject)
    assert [c.to_json() for c in read.checkpoints] == [made.to_json()]
    assert audit_chain.verify(on_nats).intact
    with on_nats.engine.begin() as conn:
        _cut_from(conn, made.seq - 1)
    settings.audit_checkpoint_file.write_text("")
    stream = audit_checkpoints.stream_name(settings.audit_checkpoint_subject)
    problems = _problems(on_nats)
    assert f"checkpoint {stream}#1: names row {made.seq} of epoch 1" in problems[0]
    assert "missing from the checkpoint file" in problems[0]
    assert any(
        p.startswith(f"checkpoint {stream}#1: names row {made.seq}") and "cut from the end" in p
        for p in problems
    )


def test_an_upgraded_database_keeps_its_unkeyed_rows_as_epoch_zero(
    empty_url: str, chain: ServiceContext, people: People, clock: Clock
) -> None:
    upgrade(empty_url, "0003")
    engine = make_engine(empty_url)
    with engine.begin() as conn:  # rows as Kouan wrote them before this upgrade
        prev_hash = audit.GENESIS
        for seq in (1, 2, 3):
            row = {
                "seq": seq,
                "at": clock.now,
                "actor_user_id": None,
                "actor": "system",
                "action": "test.before_keys",
                "entity_type": "test",
                "entity_id": str(seq),
                "before": None,
                "after": {"n": seq},
            }
            hash_ = digest(audit._fields(row), prev_hash)
            conn.execute(insert(BEFORE_KEYS).values(**row, prev_hash=prev_hash, hash=hash_))
            prev_hash = hash_
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, :hash)"), {"hash": prev_hash}
        )
    upgrade(empty_url)
    upgraded = service_context(engine, chain.settings, clock)
    with upgraded.uow(people["customs"]) as uow:
        uow.audit("test.after_keys", "test", 4, None, {"n": 4})
        uow.commit()
    report = audit_chain.verify(upgraded)
    engine.dispose()
    assert report.intact, report.problems
    assert [(e.epoch, e.first_seq, e.last_seq) for e in report.epochs] == [(0, 1, 3), (1, 4, 5)]
