"""kouan bench portcall-http: filings per second over HTTP with concurrent clients against a running
server, and the same server's trivial endpoint (/api/v1/health) measured in the same run."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common


async def _drive(
    base: str,
    requests: Sequence[tuple[str, str, dict[str, Any] | None]],
    clients: int,
    headers: dict[str, str],
) -> tuple[float, list[float], int]:
    """Send the requests from `clients` concurrent connections; wall time, latencies, errors."""
    queue: asyncio.Queue[tuple[str, str, dict[str, Any] | None]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            while not queue.empty():
                method, path, body = queue.get_nowait()
                t0 = time.perf_counter()
                response = await http.request(method, path, json=body)
                latencies.append(time.perf_counter() - t0)
                errors += response.status_code >= 400

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, latencies, errors


def main(
    calls: Annotated[int, typer.Option(help="Arrival notices (filed in turn with wrk).")] = 2000,
    clients: Annotated[int, typer.Option(help="Concurrent HTTP clients.")] = 16,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 1,
    seconds: Annotated[int, typer.Option(help="Seconds of each run, with wrk.")] = 10,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    common.agent(ctx)
    ctx.engine.dispose()
    with common.serving(url, workers) as base:
        headers = common.bearer(base, common.AGENT)
        rng = random.Random(2026)
        now = common.utcnow()
        bodies = [common.filing(rng, i, now) for i in range(calls)]
        measured = _with_wrk(base, bodies, clients, headers, seconds) or _with_httpx(
            base, bodies, clients, headers
        )
    throughput, baseline, figures = measured
    common.emit(
        {
            "name": "portcall-http",
            "database": dialect,
            "calls": calls,
            "clients": clients,
            "workers": workers,
            "throughput_per_s": round(throughput, 1),
            **figures,
            "baseline_per_s": round(baseline, 1),
            "ratio": round(throughput / baseline, 3),
            "ratio_against": "GET /api/v1/health on the same server, same clients, same run",
        },
        as_json,
    )


# Filings per second, the trivial endpoint's requests per second, and the filings' figures.
Measured = tuple[float, float, dict[str, Any]]


def _with_wrk(
    base: str, bodies: list[dict[str, Any]], clients: int, headers: dict[str, str], seconds: int
) -> Measured | None:
    """Measured by wrk (a C program: the server keeps the cores) for `seconds` each, if
    installed; the filings are the bodies in turn, again from the first when all are sent."""
    warm = common.wrk_run(base, "/api/v1/health", None, 1, clients, headers)
    if warm is None:
        return None
    trivial = common.wrk_run(base, "/api/v1/health", None, seconds, clients, headers)
    filed = common.wrk_run(base, "/api/v1/port-calls", bodies, seconds, clients, headers)
    assert trivial is not None and filed is not None
    figures = {
        "errors": filed["failed"],
        **{k: filed[k] for k in ("p50_ms", "p99_ms", "mean_ms")},
        "load_generator": "wrk",
    }
    rate = filed["requests"] / filed["seconds"]
    return rate, trivial["requests"] / trivial["seconds"], figures


def _with_httpx(
    base: str, bodies: list[dict[str, Any]], clients: int, headers: dict[str, str]
) -> Measured:
    """Measured by a Python client, which takes a core the server could have used."""
    calls = len(bodies)
    filings = [("POST", "/api/v1/port-calls", body) for body in bodies]
    trivial = [("GET", "/api/v1/health", None)] * calls
    asyncio.run(_drive(base, trivial[:200], clients, headers))  # warm up connections and code
    trivial_s, _, _ = asyncio.run(_drive(base, trivial, clients, headers))
    filing_s, latencies, errors = asyncio.run(_drive(base, filings, clients, headers))
    figures = {
        "errors": errors,
        **common.latency_figures(latencies),
        "load_generator": "httpx (wrk is not installed)",
    }
    return calls / filing_s, calls / trivial_s, figures


if __name__ == "__main__":
    typer.run(main)
