"""kouan bench portcall: filings per second through the service layer, four rule sets deciding,
and latency from filing to entry permit."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.domain.filing import ArrivalNotice
from kouan.services.ships import portcalls


def main(
    calls: Annotated[int, typer.Option(help="Arrival notices to file.")] = 5000,
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
    latencies, cleared = [], 0
    with Progress(disable=as_json, transient=True) as progress:
        task = progress.add_task("filing", total=calls)
        started = time.perf_counter()
        for notice in notices:
            t0 = time.perf_counter()
            _, call = portcalls.file_arrival(ctx, actor, notice)
            latencies.append(time.perf_counter() - t0)
            cleared += call["entry_permit"] is not None
            progress.advance(task)
        elapsed = time.perf_counter() - started
    common.emit(
        {
            "name": "portcall",
            "database": dialect,
            "calls": calls,
            "cleared_by_rules": cleared,
            "throughput_per_s": round(calls / elapsed, 1),
            **common.latency_figures(latencies),
            "latency": "filing to entry permit (all four rule sets decide at filing)",
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
