"""`kouan db backup` and `kouan db restore`: a round trip gives back every row, the restored
database goes on working, and what cannot be restored is refused without touching anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kouan.adapters.db import audit
from kouan.adapters.db.engine import make_engine
from kouan.cli import app
from kouan.config import get_settings
from kouan.services.cargo import declarations
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import Clock, People, register_traders
from tests.factories import arrival_notice, declaration, departure_notice

runner = CliRunner()


@pytest.fixture(autouse=True)
def checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The epoch a restore begins is checkpointed: into this test's own file."""
    monkeypatch.setenv("KOUAN_AUDIT_CHECKPOINT_FILE", str(tmp_path / "checkpoints.jsonl"))


def _kouan(url: str, *args: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("KOUAN_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return runner.invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def _contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    metadata = MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn)
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def _backed_up(
    ctx: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Some filings, then `kouan db backup`: the backup's path."""
    _file_some(ctx, people, clock)
    archive = tmp_path / "kouan.backup.gz"
    made = _kouan(database_url, "db", "backup", str(archive), monkeypatch=monkeypatch)
    assert made.exit_code == 0, made.output
    return archive


def _file_some(ctx: ServiceContext, people: People, clock: Clock) -> None:
    agent = people["agent"]
    _, call = portcalls.file_arrival(ctx, agent, arrival_notice(clock.now))
    portcalls.file_departure(ctx, agent, call["id"], departure_notice(clock.now))
    register_traders(ctx, people)
    declarations.file_declaration(ctx, people["broker"], declaration())


def test_a_backup_restores_every_row_and_the_restored_database_goes_on(
    ctx: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    empty_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = _backed_up(ctx, people, clock, database_url, tmp_path, monkeypatch)
    restored = _kouan(empty_url, "db", "restore", str(archive), monkeypatch=monkeypatch)
    assert restored.exit_code == 0, restored.output

    target = make_engine(empty_url)
    restored_rows, backed_up = _contents(target), _contents(ctx.engine)
    restored_audit, backed_up_audit = restored_rows.pop("audit_log"), backed_up.pop("audit_log")
    del restored_rows["audit_head"], backed_up["audit_head"]  # the head has moved on
    assert restored_rows == backed_up
    # The restore begins a new epoch of the audit chain after the restored rows.
    assert restored_audit[: len(backed_up_audit)] == backed_up_audit
    assert len(restored_audit) == len(backed_up_audit) + 1
    with Session(target) as session:
        assert not list(audit.verify(session))
    # New rows take new ids after the restored ones (PostgreSQL's sequences were moved on).
    again = ctx.__class__(target, ctx.settings, ctx.wiring, clock)
    _, call = portcalls.file_arrival(again, people["agent"], arrival_notice(clock.now))
    with ctx.engine.connect() as conn:
        last = conn.execute(text("SELECT max(id) FROM port_calls")).scalar_one()
    assert call["id"] == last + 1
    target.dispose()


def test_a_database_holding_data_is_not_overwritten_unless_asked(
    ctx: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = _backed_up(ctx, people, clock, database_url, tmp_path, monkeypatch)
    portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))  # after the backup
    before = _contents(ctx.engine)

    refused = _kouan(database_url, "db", "restore", str(archive), monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "port_calls" in refused.output
    assert _contents(ctx.engine) == before

    replaced = _kouan(
        database_url, "db", "restore", str(archive), "--replace", monkeypatch=monkeypatch
    )
    assert replaced.exit_code == 0, replaced.output
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM port_calls")).scalar_one() == 1


def test_a_file_that_is_not_a_backup_is_refused_by_name(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup\n")
    refused = _kouan(database_url, "db", "restore", str(junk), monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    said = " ".join(refused.output.split("\n"))  # the console wraps a long path anywhere
    assert "notes.txt" in said.replace(" ", "") and "Kouan backup" in said
