"""kouan bench declaration-http: green-lane latency from filing to release over HTTP. A running
server; one client POSTs declarations of AA- and B-class traders with clean goods one after the
other (the latency figure), then several clients at once (throughput); each answer is checked to
be released already when its lane is green. GET /api/v1/health on the same server and client,
measured in the same run, is the baseline."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

SEED = 2026
FILE = "/api/v1/declarations"
WARM_UP = 50


class Answers:
    """What the answers said: green and released, randomly selected for a check, or wrong."""

    def __init__(self) -> None:
        self.green_s: list[float] = []  # latencies of green answers
        self.all_s: list[float] = []
        self.selected = 0  # B-class declarations chance sent to a check (not an error)
        self.errors: list[str] = []

    def check(self, response: httpx.Response, seconds: float) -> None:
        self.all_s.append(seconds)
        if response.status_code != 201:
            self.errors.append(f"{response.status_code}: {response.text[:200]}")
            return
        view = response.json()
        if view["lane"] != "green":
            self.selected += view["random_selected"]
            if not view["random_selected"]:
                self.errors.append(f"{view['reference']}: {view['lane']} by {view['rules_hit']}")
        elif view["status"] != "released" or view["release_notice"] is None:
            self.errors.append(f"{view['reference']}: green but {view['status']}")
        else:
            self.green_s.append(seconds)


def _sequential(http: httpx.Client, bodies: list[dict[str, Any]]) -> tuple[float, Answers]:
    answers = Answers()
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = http.post(FILE, json=body)
        answers.check(response, time.perf_counter() - t0)
    return time.perf_counter() - started, answers


def _health(http: httpx.Client, count: int) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        http.get("/api/v1/health").raise_for_status()
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - started, latencies


async def _concurrent(
    base: str, headers: dict[str, str], bodies: list[dict[str, Any]], clients: int
) -> tuple[float, Answers]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    answers = Answers()

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            while not queue.empty():
                body = queue.get_nowait()
                t0 = time.perf_counter()
                response = await http.post(FILE, json=body)
                answers.check(response, time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, answers


def main(
    declarations: Annotated[int, typer.Option(help="Declarations one client files.")] = 1000,
    concurrent: Annotated[
        int, typer.Option(help="Declarations the concurrent clients file (0: none).")
    ] = 2000,
    clients: Annotated[int, typer.Option(help="Concurrent HTTP clients.")] = 8,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 1,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    rng = random.Random(SEED)
    registered = common.register_traders(ctx, rng, 100, {"AA": 1, "B": 4})
    common.broker(ctx)
    ctx.engine.dispose()
    goods = common.clean_subheadings()
    bodies = [
        common.declaration_data(rng, n, registered, goods)
        for n in range(WARM_UP + declarations + concurrent)
    ]
    warm_up, one, many = (
        bodies[:WARM_UP],
        bodies[WARM_UP : WARM_UP + declarations],
        bodies[WARM_UP + declarations :],
    )
    with common.serving(url, workers) as base:
        headers = common.bearer(base, common.BROKER)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            _health(http, WARM_UP)
            _sequential(http, warm_up)
            health_s, health_latencies = _health(http, declarations)
            one_s, answers = _sequential(http, one)
        together: dict[str, Any] = {}
        if many:
            many_s, many_answers = asyncio.run(_concurrent(base, headers, many, clients))
            answers.errors += many_answers.errors
            together = {
                "clients": clients,
                "declarations": len(many),
                "throughput_per_s": round(len(many) / many_s, 1),
                **common.latency_figures(many_answers.all_s),
                "randomly_selected": many_answers.selected,
            }
    throughput, baseline = declarations / one_s, declarations / health_s
    common.emit(
        {
            "name": "declaration-http",
            "database": dialect,
            "declarations": declarations,
            "workers": workers,
            "released_at_filing": len(answers.green_s),
            "randomly_selected": answers.selected,
            "errors": len(answers.errors),
            "first_errors": answers.errors[:5],
            "throughput_per_s": round(throughput, 1),
            **common.latency_figures(answers.green_s or [0.0]),
            "latency": "one client: POST /api/v1/declarations to its answer, released (green lane)",
            "health_p50_ms": common.latency_figures(health_latencies)["p50_ms"],
            "baseline_per_s": round(baseline, 1),
            "ratio": round(throughput / baseline, 3),
            "ratio_against": "GET /api/v1/health on the same server, one client, same run",
            "concurrent": together,
            "load_average": [round(n, 2) for n in os.getloadavg()],
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
