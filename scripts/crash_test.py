"""make crash-test: load on the API while the server is killed outright (SIGKILL) and restarted;
afterwards every acknowledged write must be there exactly once, whole, and the audit chain intact.

Clients behave as a careful agent's or broker's system does: every write carries an
Idempotency-Key, and a write that got no answer (the server died) is sent again with the same key
until it is answered. A write is acknowledged when a 2xx answer reached the client. Then:
- found: the acknowledged writes present in the database (by their client-side marker);
- duplicates: markers stored more than once; lost: acknowledged but absent;
- half-stored: port calls without their four reviews, declarations without their reviews;
- the audit chain verified from the first row.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import nats
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import contextlib

import common
from kouan.adapters.db import audit
from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.tables import DeclarationRow, OutboxEvent, PortCall, Review

console = Console()


@dataclass
class Ledger:
    """What the clients were told: the marker of every acknowledged write, by kind."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    port_calls: dict[str, int] = field(default_factory=dict)  # voyage -> id answered
    declarations: dict[str, int] = field(default_factory=dict)  # reference -> id answered
    retries: int = 0

    def acknowledged(self) -> int:
        return len(self.port_calls) + len(self.declarations)


def main(
    database_url: common.DatabaseUrl = None,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 1,
    kills: Annotated[int, typer.Option(help="Times the server is killed.")] = 5,
    clients: Annotated[int, typer.Option(help="Clients writing at once.")] = 8,
    seconds_between: Annotated[float, typer.Option(help="Mean time between kills.")] = 3.0,
    nats_url: Annotated[
        str | None, typer.Option(help="NATS with JetStream: check every write's events too.")
    ] = None,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    rng = random.Random(2026)
    common.agent(ctx)
    common.broker(ctx)
    traders = common.register_traders(ctx, rng, 20, {"AA": 1, "B": 3})
    ctx.engine.dispose()
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    stream = f"KOUAN_CRASH_{uuid.uuid4().hex[:8].upper()}"
    if nats_url:  # a stream of this run's own, deleted at the end
        os.environ.update(
            KOUAN_NATS_URL=nats_url,
            KOUAN_NATS_STREAM=stream,
            KOUAN_NATS_SUBJECT_PREFIX=f"crash.{stream.lower()}",
        )
    server = common.start_server(url, port, workers, own_group=True)
    headers = {
        "agent": common.bearer(base, common.AGENT),
        "broker": common.bearer(base, common.BROKER),
    }
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=_client, args=(base, headers, traders, n, ledger, stop))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for kill in range(kills):
        time.sleep(rng.uniform(0.5, 1.5) * seconds_between)
        _kill(server)
        console.print(f"kill {kill + 1}/{kills}: {ledger.acknowledged()} acknowledged so far")
        server = common.start_server(url, port, workers, own_group=True)
    time.sleep(seconds_between)
    stop.set()
    for thread in threads:
        thread.join()
    if nats_url:
        _until_relayed(url)
    _kill(server)
    report = _check(url, ledger)
    if nats_url:
        report.update(asyncio.run(_check_events(nats_url, stream, ledger)))
    _print(report, dialect, workers, kills)
    failures = (
        "lost",
        "duplicates",
        "half_stored",
        "audit_breaks",
        "stored_unacknowledged",
        "events_missing",
    )
    if any(report.get(name) for name in failures):
        raise typer.Exit(1)


def _kill(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the server and every worker of it (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def _client(
    base: str,
    headers: dict[str, dict[str, str]],
    traders: dict[str, str],
    number: int,
    ledger: Ledger,
    stop: threading.Event,
) -> None:
    rng = random.Random(number)
    goods = common.clean_subheadings()
    serial = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        while not stop.is_set():
            serial += 1
            marker = f"C{number:02d}-{serial:06d}"
            if rng.random() < 0.7:
                body = common.filing(rng, number * 100_000 + serial, common.utcnow())
                body["voyage"] = marker
                answer = _until_answered(http, "/api/v1/port-calls", body, headers["agent"], ledger)
                with ledger.lock:
                    ledger.port_calls[marker] = answer["id"]
            else:
                body = common.declaration_data(rng, serial, traders, goods)
                body["reference"] = marker
                answer = _until_answered(
                    http, "/api/v1/declarations", body, headers["broker"], ledger
                )
                with ledger.lock:
                    ledger.declarations[marker] = answer["id"]


def _until_answered(
    http: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str], ledger: Ledger
) -> dict[str, Any]:
    """POST until a 2xx answer, the same Idempotency-Key each time; the answer."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    while True:
        try:
            response = http.post(path, json=body, headers={**headers, **key})
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code < 300:
            answer: dict[str, Any] = response.json()
            return answer
        if response is not None and response.status_code < 500 and response.status_code != 429:
            raise RuntimeError(f"{path} refused: {response.status_code} {response.text[:300]}")
        with ledger.lock:
            ledger.retries += 1
        time.sleep(0.2)


def _check(url: str, ledger: Ledger) -> dict[str, Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        calls = _stored(session, PortCall.voyage, PortCall.id)
        filed = _stored(session, DeclarationRow.reference, DeclarationRow.id)
        reviews_per_call = dict(
            session.execute(
                select(Review.subject_id, func.count())
                .where(Review.subject_type == "port_call")
                .group_by(Review.subject_id)
            ).all()
        )
        reviewed_declarations = set(
            session.scalars(select(Review.subject_id).where(Review.subject_type == "declaration"))
        )
        breaks = list(audit.verify(session, common.AUDIT_KEY.encode()))
    engine.dispose()
    lost = [m for m in ledger.port_calls if m not in calls]
    lost += [m for m in ledger.declarations if m not in filed]
    duplicates = [m for m, ids in {**calls, **filed}.items() if len(ids) > 1]
    wrong_id = [m for m, i in ledger.port_calls.items() if calls.get(m, [i])[0] != i]
    wrong_id += [m for m, i in ledger.declarations.items() if filed.get(m, [i])[0] != i]
    half = [m for m, ids in calls.items() if reviews_per_call.get(ids[0], 0) < 4]
    half += [m for m, ids in filed.items() if ids[0] not in reviewed_declarations]
    return {
        "acknowledged": ledger.acknowledged(),
        "found": sum(1 for m in ledger.port_calls if m in calls)
        + sum(1 for m in ledger.declarations if m in filed),
        # Every write was sent until answered, so nothing stored should be unknown to a client.
        "stored_unacknowledged": sum(1 for m in calls if m not in ledger.port_calls)
        + sum(1 for m in filed if m not in ledger.declarations),
        "duplicates": len(duplicates),
        "lost": len(lost) + len(wrong_id),
        "half_stored": len(half),
        "retries": ledger.retries,
        "audit_breaks": len(breaks),
    }


def _until_relayed(url: str, seconds: float = 120) -> None:
    """Wait until the server's relay has published every event of the outbox."""
    engine = make_engine(url)
    deadline = time.monotonic() + seconds
    with Session(engine) as session:
        while time.monotonic() < deadline:
            waiting = session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
            )
            session.rollback()  # the next count sees the relay's latest commits
            if not waiting:
                break
            time.sleep(0.5)
    engine.dispose()


async def _check_events(nats_url: str, stream: str, ledger: Ledger) -> dict[str, int]:
    """Read the whole stream: the filing event of every acknowledged write must be on it;
    copies of one event (the same id twice) are counted; the stream is deleted after."""
    client = await nats.connect(nats_url)
    js = client.jetstream()
    try:
        info = await js.stream_info(stream)
        seen: Counter[str] = Counter()
        filed: set[tuple[str, int]] = set()
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            event = json.loads((await js.get_msg(stream, seq)).data or b"{}")
            seen[event["id"]] += 1
            if event["type"] in ("port_call.filed", "declaration.filed"):
                filed.add((event["subject"]["type"], event["subject"]["id"]))
        await js.delete_stream(stream)
    finally:
        await client.close()
    expected = {("port_call", i) for i in ledger.port_calls.values()}
    expected |= {("declaration", i) for i in ledger.declarations.values()}
    return {
        "events_on_stream": sum(seen.values()),
        "events_expected_filings": len(expected),
        "events_missing": len(expected - filed),
        "events_duplicated": sum(count - 1 for count in seen.values()),
    }


def _stored(session: Session, marker: Any, key: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for value, row_id in session.execute(select(marker, key).where(marker.like("C%-%"))):
        found.setdefault(value, []).append(row_id)
    return found


def _print(report: dict[str, Any], dialect: str, workers: int, kills: int) -> None:
    table = Table(title=f"crash test: {dialect}, {workers} worker(s), {kills} SIGKILLs")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in report.items():
        table.add_row(name.replace("_", " "), str(value))
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
