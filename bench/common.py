"""What the benchmarks share: a scratch database, users, realistic filings, percentiles, output."""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import text

from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.adapters.db.tables import Base
from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.services import reference, users
from kouan.services.permissions import Actor
from kouan.services.unit_of_work import ServiceContext

PASSWORD = "bench-password-1"
# The options every benchmark takes.
DatabaseUrl = Annotated[str | None, typer.Option(help="A scratch database (it is emptied!).")]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on the last line.")]
SHIPS_FLAGS = ("PA", "LR", "MH", "HK", "SG", "CN", "GR", "MT")
MIDS = {
    "PA": "351",
    "LR": "636",
    "MH": "538",
    "HK": "477",
    "SG": "563",
    "CN": "413",
    "GR": "240",
    "MT": "248",
}
LAST_PORTS = ("KRPUS", "CNSHA", "HKHKG", "SGSIN", "JPTYO", "NLRTM", "USLAX", "CNNGB")


def scratch_database(url: str | None) -> tuple[str, str]:
    """A fresh database: a temporary SQLite file, or the given (scratch!) URL emptied."""
    if url is None:
        path = Path(tempfile.mkdtemp(prefix="kouan-bench-")) / "bench.db"
        url = f"sqlite:///{path}"
    else:
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(engine)
        engine.dispose()
    upgrade(url)
    return url, make_engine(url).dialect.name


def context(url: str) -> ServiceContext:
    settings = Settings(database_url=url, secret_key="bench-" + "k" * 32)
    ctx = ServiceContext(make_engine(url), settings)
    with ctx.sessions() as session:
        reference.ensure_reference_data(session, ctx.clock())
    return ctx


def agent(ctx: ServiceContext) -> Actor:
    user_id = users.create_user(
        ctx, "bench_agent", PASSWORD, OrgType.SHIPPING_AGENT, "Bench Agency"
    )
    return users.actor_for(ctx, user_id)


def imo_number(serial: int) -> str:
    digits = f"{9000000 + serial * 7 % 999999:07d}"[:6]
    check = sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return digits + str(check)


def _person(rng: random.Random, i: int, now: datetime, rank: str | None) -> dict[str, Any]:
    nationality = rng.choice(("CN", "PH", "KR", "IN", "UA", "JP"))
    person: dict[str, Any] = {
        "family_name": f"CREW{i}",
        "given_names": "Test",
        "nationality": nationality,
        "date_of_birth": date(1970 + i % 30, 1 + i % 12, 1 + i % 28).isoformat(),
        "document": {
            "type": "P",
            "number": f"P{rng.randrange(10**7, 10**8)}",
            "issuing_state": nationality,
            "expiry": (now.date() + timedelta(days=900)).isoformat(),
        },
    }
    if rank:
        person["rank"] = rank
    return person


def filing(rng: random.Random, serial: int, now: datetime) -> dict[str, Any]:
    """A realistic clean arrival notice: 20 crew, cargo that adds up, class 3 dangerous goods."""
    flag = SHIPS_FLAGS[serial % len(SHIPS_FLAGS)]
    eta = now + timedelta(days=2, minutes=serial)
    items = [
        {
            "description": "Containers",
            "packages": 100 + serial % 50,
            "gross_tonnes": 1000.5,
            "teu": 80,
        },
        {"description": "Machinery", "packages": 20, "gross_tonnes": 250.25, "teu": 10},
    ]
    return {
        "ship": {
            "imo": imo_number(serial),
            "mmsi": f"{MIDS[flag]}{serial % 1000000:06d}",
            "name": f"BENCH STAR {serial}",
            "call_sign": f"BS{serial % 100000}",
            "flag": flag,
        },
        "voyage": f"V{serial}",
        "port": "CNTAO",
        "berth": "QQCT-01",
        "eta": eta.isoformat(),
        "etd": (eta + timedelta(days=1)).isoformat(),
        "last_ports": rng.sample(LAST_PORTS, 4),
        "cargo": {
            "items": items,
            "total_packages": sum(i["packages"] for i in items),
            "total_gross_tonnes": sum(i["gross_tonnes"] for i in items),
            "total_teu": 90,
        },
        "crew": [_person(rng, i, now, "AB") for i in range(20)],
        "dangerous_goods": [
            {
                "un_number": "UN1263",
                "imdg_class": "3",
                "proper_shipping_name": "PAINT",
                "quantity_kg": 500,
            }
        ],
        "health": {"sanitation_certificate_expiry": (now.date() + timedelta(days=100)).isoformat()},
        "security_level": 1,
    }


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def latency_figures(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def emit(result: dict[str, Any], as_json: bool) -> None:
    result.setdefault("cores", os.cpu_count())
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


def utcnow() -> datetime:
    return datetime.now(UTC)
