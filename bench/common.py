"""What the benchmarks share: a scratch database, users, realistic filings, percentiles, output."""

from __future__ import annotations

import atexit
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy import text

from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.adapters.db.tables import Base
from kouan.bootstrap import service_context
from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.services.platform import reference, users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext

PASSWORD = "bench-password-1"
# The benchmarks' own audit key (a scratch database's): not the demo's key file.
AUDIT_KEY = "bench-audit-key-" + "a" * 32
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
        scratch = Path(tempfile.mkdtemp(prefix="kouan-bench-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)  # gone with the run
        url = f"sqlite:///{scratch / 'bench.db'}"
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
    settings = Settings(database_url=url, secret_key="bench-" + "k" * 32, audit_key=AUDIT_KEY)
    ctx = service_context(make_engine(url), settings)
    with ctx.sessions() as session:
        reference.ensure_reference_data(session, ctx.clock())
    return ctx


AGENT = "bench_agent"


def agent(ctx: ServiceContext) -> Actor:
    user_id = users.create_user(ctx, AGENT, PASSWORD, OrgType.SHIPPING_AGENT, "Bench Agency")
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


# --- cargo declarations ------------------------------------------------------------------------

BROKER = "bench_broker"
BROKER_ORG = "Bench Customs Brokerage"
# Roughly how China's enterprises spread over the credit classes: most B, few AA or D.
CREDIT_WEIGHTS = {"AA": 2, "A": 15, "B": 70, "C": 10, "D": 3}
ORIGINS = ("CN", "KR", "JP", "US", "DE", "VN", "TH", "AU", "BR", "IN", "ID", "MY", "NL", "FR")
# The currencies invoices come in, with a rough CNY rate to keep unit values realistic.
CURRENCIES = {"USD": 7.1, "EUR": 7.7, "JPY": 0.047, "CNY": 1.0}
OFFICES = ("CNTAO", "CNJNA", "CNSHA", "CNPEK")
RELEASE_PORTS = ("CNTAO", "CNSHA", "CNNGB", "CNTXG")
AIRPORTS = ("CNPEK", "CNSHA", "CNTAO")
CONTAINER_OWNERS = ("MSC", "CSQ", "MAE", "CMA", "OOL", "EGL", "HLX", "TGH")
VESSELS = ("COSCO SHIPPING ARIES", "EVER GIVEN", "MSC GULSUN", "CMA CGM JACQUES SAADE")
AIRLINES = ("CA", "MU", "CZ", "CK", "LH", "KE")
TRADE_MODES = ("0110", "0110", "0110", "1210", "9610", "0615")


def broker(ctx: ServiceContext, username: str = BROKER) -> Actor:
    """A customs broker who files declarations."""
    user_id = users.create_user(ctx, username, PASSWORD, OrgType.CUSTOMS_BROKER, BROKER_ORG)
    return users.actor_for(ctx, user_id)


def register_traders(
    ctx: ServiceContext, rng: random.Random, count: int, classes: dict[str, int] = CREDIT_WEIGHTS
) -> dict[str, str]:
    """`count` traders registered by a customs officer, credit classes drawn by `classes`'
    weights; code -> credit class."""
    from kouan.services.cargo import traders
    from kouan.services.duties import guarantees

    officer_id = users.create_user(ctx, "bench_customs", PASSWORD, OrgType.CUSTOMS, "Bench Customs")
    officer = users.actor_for(ctx, officer_id)
    names, weights = zip(*classes.items(), strict=True)
    registered = {}
    for n in range(count):
        code = f"37{n:08d}"  # clear of the default watch list's 3702999999
        credit_class = rng.choices(names, weights)[0]
        traders.register(ctx, officer, traders.checked(code, f"Bench Trader {n:05d}", credit_class))
        # A guarantee each, so that imports are released at filing on it (kouan.services.duties).
        guarantees.set_guarantee(ctx, officer, code, Decimal(10**9))
        registered[code] = credit_class
    return registered


def subheadings() -> list[tuple[str, str]]:
    """The HS 2022 subheadings Kouan ships, with their descriptions."""
    source = resources.files("kouan").joinpath("reference", "hs2022.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return [(row["hscode"], row["description"]) for row in rows if row["level"] == "6"]


def clean_subheadings() -> list[tuple[str, str]]:
    """Subheadings no default risk rule and no legal-inspection entry touches: green goods."""
    from kouan.rules.legal_inspection import DEFAULT_PARAMS
    from kouan.rules.risk_defaults import RULES

    prefixes = [str(p) for p in DEFAULT_PARAMS["legal_inspection"]]
    for rule in RULES:
        prefixes += rule.get("values", []) if rule["kind"] == "hs_prefix" else []
        prefixes += [rule["hs_prefix"]] if rule["kind"] == "unit_value" else []
    return [(code, text) for code, text in subheadings() if not code.startswith(tuple(prefixes))]


def container_number(rng: random.Random) -> str:
    """An ISO 6346 container number with its check digit."""
    from stdnum import iso6346

    stem = f"{rng.choice(CONTAINER_OWNERS)}U{rng.randrange(10**6):06d}"
    return stem + iso6346.calc_check_digit(stem)


def _goods_item(rng: random.Random, goods: list[tuple[str, str]]) -> dict[str, Any]:
    code, description = rng.choice(goods)
    currency = rng.choice(tuple(CURRENCIES))
    quantity = rng.randint(1, 5000)
    unit_price = rng.lognormvariate(3.5, 1.2) / CURRENCIES[currency]  # about 33 CNY a unit
    return {
        "hs_code": code + rng.choice(("", "", "0000")),
        "description": description[:200],
        "quantity": str(quantity),
        "unit": rng.choice(("PCE", "KGM", "SET")),
        "value": f"{quantity * unit_price:.2f}",
        "currency": currency,
        "origin": rng.choice(ORIGINS),
    }


def _transport(rng: random.Random, serial: int, sea: bool) -> dict[str, Any]:
    if sea:
        return {
            "mode": "sea",
            "vessel": rng.choice(VESSELS),
            "imo": imo_number(serial % 5000),
            "voyage": f"{rng.randrange(1, 999):03d}{rng.choice('EWNS')}",
            "bill_of_lading": f"COSU{rng.randrange(10**9, 10**10)}",
        }
    return {
        "mode": "air",
        "flight": f"{rng.choice(AIRLINES)}{rng.randrange(100, 9999)}",
        "air_waybill": f"{rng.randrange(100, 999)}-{rng.randrange(10**7, 10**8)}",
    }


def declaration_data(
    rng: random.Random,
    serial: int,
    traders: dict[str, str],
    goods: list[tuple[str, str]],
    run: str = "",
) -> dict[str, Any]:
    """A realistic declaration: 1 to 5 items, sea (with containers) or air, import or export."""
    code = rng.choice(tuple(traders))
    sea = rng.random() < 0.8
    direction = rng.choice(("import", "export"))
    return {
        "reference": f"BR{run}-{serial:07d}",
        "declarant": BROKER_ORG,
        "trader": code,
        "trader_name": f"Bench Trader {int(code[2:]):05d}",
        "direction": direction,
        "trade_mode": rng.choice(TRADE_MODES),
        "transport": _transport(rng, serial, sea),
        "declaration_office": rng.choice(OFFICES),
        "release_port": rng.choice(RELEASE_PORTS if sea else AIRPORTS),
        "containers": [container_number(rng) for _ in range(rng.randint(1, 3))] if sea else [],
        "items": [_goods_item(rng, goods) for _ in range(rng.randint(1, 5))],
    }


# --- a server for the HTTP benchmarks ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, port: int, workers: int = 1, own_group: bool = False
) -> subprocess.Popen[bytes]:
    """`kouan serve` on the scratch database, once it answers /api/v1/health. With `own_group`
    the server and its workers form a process group of their own (to be killed at once)."""
    env = {
        **os.environ,
        "KOUAN_DATABASE_URL": url,
        "KOUAN_SECRET_KEY": "bench-" + "k" * 32,
        "KOUAN_AUDIT_KEY": AUDIT_KEY,
    }
    command = [sys.executable, "-m", "kouan.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)], env=env, start_new_session=own_group
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start within 60 s")


@contextmanager
def serving(url: str, workers: int = 1) -> Iterator[str]:
    """`kouan serve` on the scratch database while the block runs; its base address."""
    port = free_port()
    server = start_server(url, port, workers)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk_run(
    base: str,
    path: str,
    bodies: list[dict[str, Any]] | None,
    seconds: float,
    clients: int,
    headers: dict[str, str],
) -> dict[str, Any] | None:
    """Send requests to `path` for `seconds` from `clients` connections with wrk, a load
    generator in C that leaves the cores to the server: POSTs of the bodies in turn (again from
    the first when all are sent), or GETs. Its figures (requests, seconds, failed, p50/p99/mean
    ms), or None when wrk is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as file:
        for body in bodies or ():
            file.write(json.dumps(body, separators=(",", ":")) + "\n")
        file.flush()
        script = Path(__file__).with_name("wrk_requests.lua")
        command = [wrk, "-t1", f"-c{clients}", f"-d{seconds}s", "-s", str(script), base + path]
        args = ["--", file.name if bodies else "-", headers["Authorization"]]
        out = subprocess.run([*command, *args], capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def bearer(base: str, username: str) -> dict[str, str]:
    """The Authorization header of a user signed in with the benchmarks' password."""
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
