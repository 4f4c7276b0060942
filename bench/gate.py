"""kouan bench gate: gate checks per second and their latency, one client (the terminal's gate
clerk) asking through the service layer as the API's route does.

The data is generated as rows, inserted in bulk outside the timed section: one port call, an
import manifest of `--containers` container lines (one B/L per four containers), the terminal's
goods-arrival report of every one of them, and a declaration per B/L (most released, some under
review, held or seized, some B/Ls undeclared). The checks ask for containers drawn at random, one
in ten not on any manifest; every refusal is committed before its answer, as in service.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from sqlalchemy import insert, text
from stdnum import iso6346

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.adapters.db.goods_tables import BillOfLading, Manifest, ManifestContainer
from kouan.adapters.db.tables import DeclarationRow
from kouan.adapters.db.terminal_tables import GoodsArrival
from kouan.domain.agency import OrgType
from kouan.domain.filing import ArrivalNotice
from kouan.services.goods import gate
from kouan.services.platform import users
from kouan.services.ships import portcalls

_PER_BILL = 4
_STATUSES = ("released",) * 16 + ("under_review", "inspection", "held", "seized")
_CHUNK = 5000


def _number(serial: int) -> str:
    stem = f"BNCU{serial:06d}"
    return stem + iso6346.calc_check_digit(stem)


def _insert(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        conn.execute(insert(model), rows[start : start + _CHUNK])


def _generate(ctx: Any, count: int, rng: random.Random, terminal_org: int) -> list[str]:
    """The rows of one manifest of `count` containers, their arrival in the terminal's yard and
    their B/Ls' declarations."""
    agent = common.agent(ctx)
    broker = common.broker(ctx)
    now = common.utcnow()
    _, call = portcalls.file_arrival(
        ctx, agent, ArrivalNotice.model_validate(common.filing(rng, 1, now))
    )
    numbers = [_number(n) for n in range(count)]
    bills = (count + _PER_BILL - 1) // _PER_BILL
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(Manifest),
            {
                "id": 1,
                "agent_org_id": agent.org_id,
                "filed_by": agent.user_id,
                "port_call_id": call["id"],
                "direction": "import",
                "imo": call["ship"]["imo"] if "ship" in call else "9000007",
                "voyage": "V1",
                "port": "CNTAO",
                "reference": "BENCH",
                "source": "api",
                "bills": bills,
                "containers": count,
                "gross_weight_kg": 10000.0 * count,
                "document": {},
                "deadline": now,
                "late": False,
                "filed_at": now,
                "amended_at": None,
                "version": 1,
            },
        )
        _insert(
            conn,
            BillOfLading,
            [
                {
                    "id": b + 1,
                    "manifest_id": 1,
                    "number": f"BENCHBL{b:08d}",
                    "shipper": "Bench Shipper",
                    "consignee": "Bench Consignee",
                    "notify_party": None,
                    "goods_description": "general cargo",
                    "hs_code": None,
                    "packages": 100,
                    "package_type": "CT",
                    "gross_weight_kg": 40000.0,
                    "dangerous_goods": False,
                    "un_number": None,
                }
                for b in range(bills)
            ],
        )
        _insert(
            conn,
            ManifestContainer,
            [
                {
                    "id": n + 1,
                    "bl_id": n // _PER_BILL + 1,
                    "manifest_id": 1,
                    "container_number": number,
                    "seal": f"SL{n:08d}",
                    "gross_weight_kg": 10000.0,
                }
                for n, number in enumerate(numbers)
            ],
        )
        # Every box reported in the yard: a released import is let through only once it is.
        _insert(
            conn,
            GoodsArrival,
            [
                {
                    "container": number,
                    "port_call_id": call["id"],
                    "port": "CNTAO",
                    "terminal": "QQCT",
                    "arrived_at": now,
                    "reported_by_org": terminal_org,
                    "recorded_at": now,
                }
                for number in numbers
            ],
        )
        declarations = []
        for b in range(bills):
            if b % 25 == 24:
                continue  # undeclared
            status = rng.choice(_STATUSES)
            declarations.append(
                {
                    "broker_org_id": broker.org_id,
                    "filed_by": broker.user_id,
                    "reference": f"BENCH-{b}",
                    "source": "api",
                    "trader_code": "3700000001",
                    "trader_name": "Bench Trader",
                    "credit_class": "B",
                    "direction": "import",
                    "trade_mode": "0110",
                    "transport": "BENCH / V1",
                    "transport_document": f"BENCHBL{b:08d}",
                    "declaration_office": "CNTAO",
                    "release_port": "CNTAO",
                    "items": 1,
                    "value_cny": 1000.0,
                    "document": {"transport": {"mode": "sea"}, "containers": []},
                    "lane": "green",
                    "rules_hit": [],
                    "random_selected": False,
                    "selection_key": f"bench:{b}",
                    "risk_version": 1,
                    "needs_ciq": False,
                    "status": status,
                    "status_reason": "",
                    "filed_at": now,
                    "released_at": now if status == "released" else None,
                    "gated_out_at": None,
                    "changed_at": now,
                    "version": 1,
                }
            )
        _insert(conn, DeclarationRow, declarations)
    if ctx.engine.dialect.name == "postgresql":  # statistics, as a served database has them
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return numbers


def main(
    containers: Annotated[
        int, typer.Option(min=1, help="Container lines on the manifest.")
    ] = 100_000,
    checks: Annotated[int, typer.Option(min=1, help="Gate checks to time.")] = 20_000,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    rng = random.Random(2026)
    clerk_id = users.create_user(ctx, "bench_gate", common.PASSWORD, OrgType.TERMINAL, "QQCT")
    clerk = users.actor_for(ctx, clerk_id)
    started = time.perf_counter()
    numbers = _generate(ctx, containers, rng, clerk.org_id)
    generated = time.perf_counter() - started
    asked = [
        rng.choice(numbers) if rng.random() < 0.9 else _number(containers + rng.randrange(10**5))
        for _ in range(checks)
    ]
    for number in asked[:200]:  # warm: statements compiled, caches filled
        gate.check(ctx, clerk, number)
    samples: list[float] = []
    allowed = 0
    with Progress(disable=as_json, transient=True) as progress:
        task = progress.add_task("gate checks", total=checks)
        t0 = time.perf_counter()
        for number in asked:
            s = time.perf_counter()
            answer = gate.check(ctx, clerk, number)
            samples.append(time.perf_counter() - s)
            allowed += answer["allowed"]
            if len(samples) % 1000 == 0:
                progress.advance(task, 1000)
        elapsed = time.perf_counter() - t0
    common.emit(
        {
            "benchmark": "gate",
            "database": dialect,
            "containers": containers,
            "checks": checks,
            "checks_per_second": round(checks / elapsed, 1),
            **common.latency_figures(samples),
            "allowed_share": round(allowed / checks, 3),
            "generate_seconds": round(generated, 2),
        },
        as_json,
    )
    ctx.engine.dispose()


if __name__ == "__main__":
    typer.run(main)
