"""make load-test: mixed traffic (scripts/locustfile.py) against `kouan serve` on loopback, for a
bounded time, on SQLite with one worker and on PostgreSQL with two; throughput and p50/p95/p99
per operation.

On SQLite the server and the load generator are pinned to different cores, so that the
generator does not take the server's; PostgreSQL with two workers needs both cores and shares
them with the generator and the database (the table says so)."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import common
from kouan.domain.agency import OrgType
from kouan.services.platform import users

console = Console()
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
OFFICERS = {
    "customs": OrgType.CUSTOMS,
    "ciq": OrgType.CIQ,
    "border": OrgType.BORDER,
    "msa": OrgType.MSA,
    "port_office": OrgType.PORT_OFFICE,
}


def main(
    database_url: common.DatabaseUrl = None,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 1,
    users_at_once: Annotated[int, typer.Option("--users", help="Simulated users.")] = 32,
    seconds: Annotated[int, typer.Option(help="How long the load runs.")] = 30,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    accounts = {"agent": common.AGENT, "broker": common.BROKER}
    common.agent(ctx)
    common.broker(ctx)
    traders = common.register_traders(ctx, random.Random(2026), 50, {"AA": 1, "B": 3})
    for role, org_type in OFFICERS.items():
        name = f"load_{role}"
        users.create_user(ctx, name, common.PASSWORD, org_type, f"Load {role}")
        accounts[role] = name
    ctx.engine.dispose()
    port = common.free_port()
    server = common.start_server(url, port, workers)
    pinned = dialect == "sqlite" and workers == 1 and (os.cpu_count() or 1) >= 2
    if pinned:
        os.sched_setaffinity(server.pid, {0})
    try:
        base = f"http://127.0.0.1:{port}"
        tokens = {
            role: common.bearer(base, name)["Authorization"].removeprefix("Bearer ")
            for role, name in accounts.items()
        }
        rows = _locust(base, tokens, traders, users_at_once, seconds, pinned)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "name": "load-test",
        "database": dialect,
        "workers": workers,
        "users": users_at_once,
        "seconds": seconds,
        "generator": "pinned to its own core" if pinned else "sharing the cores",
        "operations": rows,
    }
    _print(result)
    if as_json:
        print(json.dumps(result))


def _locust(
    base: str,
    tokens: dict[str, str],
    traders: dict[str, str],
    users_at_once: int,
    seconds: int,
    pinned: bool,
) -> list[dict[str, Any]]:
    """Run locust headless; per operation its count, rate, failures and percentiles."""
    out = Path(tempfile.mkdtemp(prefix="kouan-load-")) / "load"
    env = {
        **os.environ,
        "KOUAN_LOAD_TOKENS": json.dumps(tokens),
        "KOUAN_LOAD_TRADERS": json.dumps(traders),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "--users",
        str(users_at_once),
        "--spawn-rate",
        str(users_at_once),
        "--run-time",
        f"{seconds}s",
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    generator = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    if pinned:
        os.sched_setaffinity(generator.pid, {1})
    generator.wait(timeout=seconds + 120)
    with open(f"{out}_stats.csv", newline="") as stats:
        return [_row(line) for line in csv.DictReader(stats)]


def _row(line: dict[str, str]) -> dict[str, Any]:
    return {
        "operation": line["Name"],
        "requests": int(line["Request Count"]),
        "failures": int(line["Failure Count"]),
        "per_s": round(float(line["Requests/s"]), 1),
        "p50_ms": float(line["50%"] or 0),
        "p95_ms": float(line["95%"] or 0),
        "p99_ms": float(line["99%"] or 0),
    }


def _print(result: dict[str, Any]) -> None:
    table = Table(
        title=(
            f"load test: {result['database']}, {result['workers']} worker(s), "
            f"{result['users']} users, {result['seconds']} s, generator {result['generator']}, "
            f"{os.cpu_count()} cores"
        )
    )
    for column in ("operation", "requests", "failures", "per s", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for row in result["operations"]:
        table.add_row(*(str(value) for value in row.values()))
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
