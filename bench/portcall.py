"""kouan bench portcall: filings per second through the service layer, four rule sets deciding,
and latency from filing to entry permit.

With --threads N, N threads file at once, each filing one notice per call of the service layer as
the HTTP server's worker threads would; on SQLite the filings that queue share a commit.

With --watchlist N, border inspection's watch list holds N synthetic entries (names in several
scripts) and the crews are named as real crews are, so that every filing screens its 20 people
with the matcher; the index is built before the timed section, as a serving process has it."""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.adapters.db import audit
from kouan.domain.agency import OrgType
from kouan.domain.filing import ArrivalNotice
from kouan.services.passengers import watchlist
from kouan.services.platform import users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.screening import synthetic
from kouan.services.ships import portcalls


def main(
    calls: Annotated[int, typer.Option(help="Arrival notices to file.")] = 5000,
    threads: Annotated[int, typer.Option(min=1, help="Threads filing at once.")] = 1,
    watchlist: Annotated[
        int, typer.Option(min=0, help="Watch-list entries to screen against.")
    ] = 0,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    actor = common.agent(ctx)
    rng = random.Random(2026)
    now = common.utcnow()
    # Bodies are validated as the API would, but outside the timed section: this measures filing.
    notices = [ArrivalNotice.model_validate(common.filing(rng, i, now)) for i in range(calls)]
    if watchlist:
        notices = _watched(ctx, notices, watchlist)
    with Progress(disable=as_json, transient=True) as progress:
        task = progress.add_task("filing", total=calls)
        started, cpu_started = time.perf_counter(), time.process_time()
        filed = _file_all(ctx, actor, iter(notices), threads, lambda: progress.advance(task))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    with ctx.sessions() as session:
        breaks = list(audit.verify(session, common.AUDIT_KEY.encode()))
    latencies = [latency for latency, _ in filed]
    cleared = sum(permit for _, permit in filed)
    common.emit(
        {
            "name": "portcall",
            "database": dialect,
            "calls": calls,
            "threads": threads,
            "watchlist": watchlist,
            "held_by_watch_list": sum(not permit for _, permit in filed),
            "cleared_by_rules": cleared,
            "throughput_per_s": round(calls / elapsed, 1),
            # On a shared machine the wall clock counts others' work too; CPU time is ours alone.
            "cpu_us_per_filing": round(cpu / calls * 1e6),
            "load_average": os.getloadavg()[0],
            **common.latency_figures(latencies),
            "latency": "filing to entry permit (all four rule sets decide at filing)",
            "audit_chain": "intact" if not breaks else f"{len(breaks)} breaks",
        },
        as_json,
    )


def _watched(ctx: ServiceContext, notices: list[ArrivalNotice], size: int) -> list[ArrivalNotice]:
    """Import `size` synthetic entries as the active version, build its index, and give the
    crews realistic names (one crew member in a hundred calls is a listed person)."""
    entries = synthetic.watch_list(size)
    rows = ["id,name,aliases,date_of_birth,nationality,document_number,reason"]
    rows += [
        ",".join(
            (e.id, e.name, ";".join(e.aliases), e.date_of_birth or "", e.nationality or "", "", "")
        )
        for e in entries
    ]
    border = users.actor_for(
        ctx, users.create_user(ctx, "bench.border", common.PASSWORD, OrgType.BORDER, "Border")
    )
    watchlist.import_file(ctx, border, "\n".join(rows).encode(), "bench.csv")
    with ctx.uow(border, write=False) as uow:
        watchlist.active_index(uow)  # built once per process, before the first filing
    rng = random.Random(7)
    people, _ = synthetic.flight(rng, entries, 20 * len(notices), len(notices) // 100)
    named = []
    for n, notice in enumerate(notices):
        crew = [
            person.model_copy(update=_names(p.name))
            for person, p in zip(notice.crew, people[20 * n : 20 * n + 20], strict=False)
        ]
        named.append(notice.model_copy(update={"crew": crew}))
    return named


def _names(name: str) -> dict[str, str]:
    family, _, given = name.partition(" ")
    return {"family_name": family, "given_names": given or "-"}


def _file_all(
    ctx: ServiceContext,
    actor: Actor,
    notices: Iterator[ArrivalNotice],
    threads: int,
    advance: Callable[[], None],
) -> list[tuple[float, bool]]:
    """File every notice from `threads` threads, each taking the next notice when done with
    one; per filing its latency and whether the entry permit was issued."""
    filed: list[tuple[float, bool]] = []
    take = threading.Lock()

    def worker() -> None:
        while True:
            with take:
                notice = next(notices, None)
            if notice is None:
                return
            t0 = time.perf_counter()
            _, call = portcalls.file_arrival(ctx, actor, notice)
            filed.append((time.perf_counter() - t0, call["entry_permit"] is not None))
            advance()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return filed


if __name__ == "__main__":
    typer.run(main)
