"""The command line: db upgrade, users create, audit verify, ais replay (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyais
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from kouan.cli import app
from kouan.config import get_settings
from kouan.domain.portcall import TimelineEvent
from kouan.services.platform import users
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import Clock, People, shared_data
from tests.factories import arrival_notice

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_db_upgrade_is_repeatable(cli_env: None) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "database ready" in result.output


def test_users_create_reads_the_password_from_stdin(cli_env: None, ctx: ServiceContext) -> None:
    args = [
        "users",
        "create",
        "li.officer",
        "--org-type",
        "CUSTOMS",
        "--org-name",
        "Huangdao Customs",
    ]
    result = runner.invoke(app, [*args, "--password-stdin"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    actor = users.authenticate(ctx, "li.officer", "s3cret-pass")
    assert (actor.org_type.value, actor.org_name) == ("CUSTOMS", "Huangdao Customs")
    again = runner.invoke(app, [*args, "--password-stdin"], input="s3cret-pass\n")
    assert again.exit_code == 2 and "not yet taken" in again.output


def test_users_create_refuses_an_unknown_org_type(cli_env: None) -> None:
    result = runner.invoke(
        app, ["users", "create", "x.user", "--org-type", "PIRATES", "--org-name", "X"], input="p\n"
    )
    assert result.exit_code != 0


def test_audit_verify_finds_an_edited_row(
    cli_env: None, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'port_call.forged' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "row 2" in broken.output and "edited" in broken.output


def test_ais_replay_brings_the_ship_in(
    cli_env: None, ctx: ServiceContext, people: People, clock: Clock, tmp_path: Path
) -> None:
    """EVER DIADEM (MMSI 351759000) files; a position inside Qingdao's port area records ATA."""
    _, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    sentences = pyais.encode_dict(
        {"type": 1, "mmsi": 351759000, "lat": 36.01, "lon": 120.22, "speed": 3.1}, radio_channel="A"
    )
    feed = tmp_path / "feed.nmea"
    feed.write_text(
        "\n".join(sentences) + "\n" + shared_data("ais", "gpsd_sample.aivdm").read_text()
    )
    result = runner.invoke(app, ["ais", "replay", str(feed)])
    assert result.exit_code == 0, result.output
    assert f"arrivals recorded for port calls [{call['id']}]" in result.output
    view = portcalls.get_port_call(ctx, people["port_office"], call["id"])
    assert view["timestamps"][TimelineEvent.ATA.value] is not None
    assert view["ata_source"] == "AIS" and view["status"] == "arrived"


def test_ais_listen_records_arrivals_from_udp(
    database_url: str, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """`kouan ais listen --udp PORT` in its own process receives a datagram and records ATA."""
    _, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KOUAN_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "kouan.cli", "ais", "listen", "--udp", str(port)]
    listener = subprocess.Popen(
        [*command, "--host", "127.0.0.1"], env=env, stdout=subprocess.PIPE, text=True
    )
    sentence = pyais.encode_dict({"type": 1, "mmsi": 351759000, "lat": 36.0, "lon": 120.2})[0]
    try:
        deadline = time.monotonic() + 20
        arrived = None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            while arrived is None and time.monotonic() < deadline:
                sender.sendto(sentence.encode() + b"\r\n", ("127.0.0.1", port))
                time.sleep(0.3)
                view = portcalls.get_port_call(ctx, people["port_office"], call["id"])
                arrived = view["timestamps"]["ATA"]
    finally:
        listener.terminate()
        listener.wait(timeout=10)
    assert arrived is not None
    assert view["ata_source"] == "AIS"
