"""kouan bench dashboard: the port office's statistics dashboard (/stats) over a port's two years
of records, and what keeping its rollups current costs a filing.

1. Generates the records as rows on the database driver (executemany in large batches, not the
   filing path), spread over the 24 months before today and this month so far: declarations
   (green lane released in seconds, document lane in tens of minutes, inspection lane in hours;
   most released at CNTAO), flights and cruise calls with their `passenger_figures` (per day,
   journey, role and nationality; the passengers add up to --passengers exactly), crossings at
   the airport's e-gates and counters and the cruise gangways, port calls with their timelines;
   and the port's statistical returns of those months (the demo's history: the peer ports).
2. Rebuilds the rollups with `kouan stats rebuild`'s code (rollups.rebuild), timed.
3. Times GET /stats signed in as the port office (the app in process, FastAPI's TestClient) for
   this month and for the year to date: one warm-up, then --requests each; p50/p99 ms.
4. Files green-lane declarations through the service layer in alternating rounds, with the rollup
   hooks as they are and with them replaced by no-ops: the cost the rollup adds to one filing
   (wall and CPU time, and the hook's own time inside the filings that ran it).

--profile DIR writes cProfile stats of one request of each period (the page's handler, in the
thread that serves it) and prints the top functions unless --json.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from sqlalchemy import Table, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.adapters.db.passenger_tables import Crossing, CruiseCall, Flight, PassengerFigure
from kouan.adapters.db.stats_tables import StatRollup
from kouan.adapters.db.tables import DeclarationRow, PortCall
from kouan.domain.agency import OrgType
from kouan.domain.declaration import Declaration
from kouan.domain.stats.periods import Month
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM, Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE, airport, site_data

SEED = 2026
PORT = str(site_data()["port"])  # CNTAO
AIRPORT = airport().iata  # TAO
PORT_OFFICE = "bench_port_office"
DAY_S = 86400

# --- the database driver ------------------------------------------------------------------------


class Loader:
    """Batches of rows inserted with the driver's executemany, one transaction a batch. Times
    are given as text ("YYYY-MM-DD HH:MM:SS.ffffff", UTC; with "+00" on PostgreSQL), JSON as
    text, dates as ISO text: exactly what the columns hold."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.conn: Any = self.raw.driver_connection
        self.rows = 0
        if self.sqlite:
            # A scratch database being loaded: no fsync, a large page cache for the indexes.
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-1000000")

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def statement(self, table: Table, columns: Sequence[str]) -> str:
        for column in table.columns:  # every NOT NULL column without a default is given
            if not (column.nullable or column.primary_key or column.default is not None):
                assert column.name in columns, f"{table.name}.{column.name} is NOT NULL"
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
        else:
            marks = ", ".join(f"%s{_pg_cast(table.columns[name])}" for name in columns)
        return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"

    def insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.conn.cursor()
        if self.sqlite:  # the engine's connections leave BEGIN to the caller
            cursor.execute("BEGIN")
            cursor.executemany(sql, rows)
            cursor.execute("COMMIT")
        else:
            cursor.executemany(sql, rows)
            self.conn.commit()
        cursor.close()
        self.rows += len(rows)

    def finish(self, tables: Sequence[str]) -> None:
        """After the load: SQLite's log copied back; PostgreSQL's id sequences past the ids given
        and its planner statistics taken (as autovacuum would)."""
        cursor = self.conn.cursor()
        if self.sqlite:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for name in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
            self.conn.commit()
            self.conn.autocommit = True
            cursor.execute("ANALYZE")
            self.conn.autocommit = False
        cursor.close()
        self.raw.close()


def _pg_cast(column: Any) -> str:
    kind = type(column.type).__name__
    if kind == "UtcDateTime":
        return "::timestamptz"
    if kind == "JSON":
        return "::jsonb"
    if kind == "Date":
        return "::date"
    return ""


class Clock:
    """Epoch seconds (UTC) as the columns' text, by table look-ups: a day's date and a second's
    time of day, each formatted once."""

    def __init__(self, first: date, last: date, sqlite: bool) -> None:
        self.epoch0 = int(datetime.combine(first, dtime(), UTC).timestamp()) - 2 * DAY_S
        days = (last - first).days + 8
        self.days = [
            (first + timedelta(days=n - 2)).isoformat() + " " for n in range(days)
        ]  # fmt: skip
        suffix = "" if sqlite else "+00"
        self.hms = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000{suffix}" for s in range(DAY_S)
        ]

    def text(self, epoch: int) -> str:
        offset = epoch - self.epoch0
        return self.days[offset // DAY_S] + self.hms[offset % DAY_S]


def _local_midnight(day: date) -> int:
    return int(datetime.combine(day, dtime(), PORT_ZONE).timestamp())


# Local hours' weights: the port works days, less at night.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 7, 9, 11, 11, 10, 8, 6, 5, 4, 3, 2, 1)
# Weekdays' weights, Monday first.
WEEKDAY_WEIGHTS = (1.1, 1.1, 1.05, 1.05, 1.0, 0.6, 0.45)


def _days(first: date, today: date, now_epoch: int) -> list[tuple[date, float]]:
    """Each day of the period with its weight: weekday, a growth of 6 % a year, the Spring
    Festival's dip, and today's share elapsed."""
    out = []
    day = first
    while day <= today:
        weight = WEEKDAY_WEIGHTS[day.weekday()] * 1.06 ** ((day - first).days / 365)
        if day.month == 2 and day.day <= 14:
            weight *= 0.55
        if day == today:
            elapsed = (now_epoch - _local_midnight(day)) / DAY_S
            weight *= max(0.0, min(1.0, elapsed))
        out.append((day, weight))
        day += timedelta(days=1)
    return out


def _shares(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split by the weights, in whole numbers adding up to it."""
    scale = total / sum(weights)
    out, carried, given = [], 0.0, 0
    for weight in weights:
        carried += weight * scale
        n = round(carried) - given
        out.append(n)
        given += n
    return out


def _times_of_day(rng: random.Random, n: int, start: int, end: int = DAY_S) -> list[int]:
    """`n` sorted seconds of a local day in [start, end), by the hours' weights."""
    hours = [h for h in range(24) if (h + 1) * 3600 > start and h * 3600 < end]
    cum, acc = [], 0
    for h in hours:
        acc += HOUR_WEIGHTS[h]
        cum.append(acc)
    picks = rng.choices(hours, cum_weights=cum, k=n)
    rand = rng.random
    out = []
    for h in picks:
        s = h * 3600 + int(rand() * 3600)
        out.append(min(max(s, start), end - 1))
    out.sort()
    return out


# --- declarations -------------------------------------------------------------------------------

DECLARATION_COLUMNS = (
    "broker_org_id", "filed_by", "reference", "source", "trader_code", "trader_name",
    "credit_class", "direction", "trade_mode", "transport", "transport_document",
    "declaration_office", "release_port", "items", "value_cny", "document", "lane", "rules_hit",
    "random_selected", "selection_key", "risk_version", "needs_ciq", "status", "status_reason",
    "filed_at", "released_at", "gated_out_at", "changed_at", "version",
)  # fmt: skip
# Declaration offices and release ports, weighted: the port's own first.
OFFICES = ("CNTAO",) * 14 + ("CNHDO", "CNRZH", "CNJNA", "CNWEI")
SEA_RELEASE = ("CNTAO",) * 17 + ("CNRZH", "CNLYG", "CNSHA")
AIR_RELEASE = ("CNTAO",) * 9 + ("CNPEK",)
SOURCES = ("cusdec",) * 6 + ("api",) * 3 + ("form",)
CURRENCY_RATES = {"USD": 7.1, "EUR": 7.7, "JPY": 0.047, "CNY": 1.0, "KRW": 0.0052}
POOL = 4096


def _rules_by_lane() -> dict[str, list[str]]:
    from kouan.rules.risk_defaults import RULES

    found: dict[str, list[str]] = {"document": [], "inspection": []}
    for rule in RULES:
        if rule.get("lane") in found:
            found[rule["lane"]].append(rule["code"])
    return found


def _shipments(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """A pool of (transport, transport document, transport JSON, containers JSON): sea or air."""
    pool = []
    for n in range(POOL):
        data = common._transport(rng, n, rng.random() < 0.8)
        if data["mode"] == "sea":
            containers = [common.container_number(rng) for _ in range(rng.randint(1, 3))]
            pool.append(
                (
                    f"{data['vessel']} / {data['voyage']}",
                    data["bill_of_lading"],
                    json.dumps(data, separators=(",", ":")),
                    json.dumps(containers, separators=(",", ":")),
                )
            )
        else:
            doc = json.dumps(data, separators=(",", ":"))
            pool.append((data["flight"], data["air_waybill"], doc, "[]"))
    return pool


def _goods(rng: random.Random) -> list[tuple[int, float, str]]:
    """A pool of (items, value in CNY, items JSON): 1 to 5 goods items each."""
    goods = common.subheadings()
    pool = []
    for _ in range(POOL):
        items = [common._goods_item(rng, goods) for _ in range(rng.randint(1, 5))]
        for item in items:
            item["description"] = item["description"][:60]
        value = sum(float(i["value"]) * CURRENCY_RATES.get(i["currency"], 1.0) for i in items)
        pool.append((len(items), round(value, 2), json.dumps(items, separators=(",", ":"))))
    return pool


def declaration_batches(
    rng: random.Random,
    count: int,
    days: list[tuple[date, float]],
    now_epoch: int,
    clock: Clock,
    brokers: list[tuple[int, int, str]],
    traders: list[tuple[str, str, str]],
    batch: int,
) -> Iterator[list[tuple[Any, ...]]]:
    """The declarations as rows in filing order, `batch` at a time."""
    shipments, goods, rules = _shipments(rng), _goods(rng), _rules_by_lane()
    document_rules = [json.dumps([code]) for code in rules["document"]] or ['["R-DOC"]']
    inspection_rules = [json.dumps([code]) for code in rules["inspection"]] or ['["R-INSP"]']
    rand, lognorm, bits = rng.random, rng.lognormvariate, rng.getrandbits
    text_of = clock.text
    rows: list[tuple[Any, ...]] = []
    serial = 0
    for (day, _), n in zip(days, _shares(count, [w for _, w in days]), strict=True):
        midnight = _local_midnight(day)
        end = min(DAY_S, now_epoch - midnight)
        for second in _times_of_day(rng, n, 0, max(1, end)):
            serial += 1
            filed = midnight + second
            org_id, user_id, org_name = brokers[serial % len(brokers)]
            code, name, credit = traders[bits(16) % len(traders)]
            transport, transport_doc, transport_json, containers = shipments[bits(12)]
            items, value, items_json = goods[bits(12)]
            sea = containers != "[]"
            office = OFFICES[bits(8) % len(OFFICES)]
            release_port = SEA_RELEASE[bits(8) % 20] if sea else AIR_RELEASE[bits(8) % 10]
            direction = "import" if rand() < 0.55 else "export"
            trade_mode = common.TRADE_MODES[bits(8) % len(common.TRADE_MODES)]
            reference = f"G{serial:09d}"
            r = rand()
            random_selected = False
            rules_hit = "[]"
            status = "released"
            if r < 0.82:
                lane, taken = "green", max(1, round(lognorm(1.1, 0.7)))  # ~3 s
            elif r < 0.95:
                lane, taken = "document", round(lognorm(7.3, 0.6))  # ~25 min
                rules_hit = document_rules[bits(8) % len(document_rules)]
            else:
                lane, taken = "inspection", round(lognorm(9.8, 0.55))  # ~5 h
                rules_hit = inspection_rules[bits(8) % len(inspection_rules)]
            if lane != "green" and rand() < 0.25:
                random_selected, rules_hit = True, "[]"
            released: int | None = filed + taken
            gated: int | None = None
            version = 1
            if lane != "green" and rand() < 0.004:
                status, released = "rejected", None
                changed = filed + taken
            elif released > now_epoch:  # still being reviewed or inspected
                status = "under_review" if lane == "document" else "inspection"
                released, changed = None, filed
            else:
                version += 1
                gated = released + round(lognorm(10.8, 0.6))  # ~14 h in the terminal
                if gated <= now_epoch:
                    status, version = "gated_out", version + 1
                    changed = gated
                else:
                    gated, changed = None, released
            if changed > now_epoch:
                changed = filed
            document = (
                f'{{"reference":"{reference}","declarant":"{org_name}","trader":"{code}",'
                f'"trader_name":"{name}","direction":"{direction}","trade_mode":"{trade_mode}",'
                f'"transport":{transport_json},"declaration_office":"{office}",'
                f'"release_port":"{release_port}","containers":{containers},"items":{items_json}}}'
            )
            rows.append(
                (
                    org_id, user_id, reference, SOURCES[serial % 10], code, name, credit,
                    direction, trade_mode, transport, transport_doc, office, release_port, items,
                    value, document, lane, rules_hit, random_selected,
                    f"{org_id}:{reference}", 1, bits(4) == 0, status, "",
                    text_of(filed), None if released is None else text_of(released),
                    None if gated is None else text_of(gated), text_of(changed), version,
                )
            )  # fmt: skip
            if len(rows) >= batch:
                yield rows
                rows = []
    if rows:
        yield rows


# --- passengers ----------------------------------------------------------------------------------

# Routes from the airport: (airline, destination, its nationality), weighted by repetition.
ROUTES = (
    [("KE", "ICN", "KR"), ("OZ", "ICN", "KR"), ("SC", "ICN", "KR"), ("7C", "ICN", "KR")] * 4
    + [("NH", "NRT", "JP"), ("JL", "KIX", "JP"), ("SC", "KIX", "JP"), ("MU", "NGO", "JP")] * 2
    + [("CX", "HKG", "HK"), ("SC", "HKG", "HK"), ("CI", "TPE", "TW"), ("SC", "TPE", "TW")]
    + [("TG", "BKK", "TH"), ("SQ", "SIN", "SG"), ("SU", "SVO", "RU"), ("LH", "FRA", "DE")]
    + [("VN", "SGN", "VN"), ("EK", "DXB", "AE")]
)
CREW_NATIONALITY = {
    "KE": "KR", "OZ": "KR", "7C": "KR", "NH": "JP", "JL": "JP", "CX": "HK", "CI": "TW",
    "TG": "TH", "SQ": "SG", "SU": "RU", "LH": "DE", "VN": "VN", "EK": "AE",
}  # fmt: skip
OTHERS = ("US", "RU", "DE", "GB", "AU", "CA", "FR", "MY", "PH", "")
CRUISE_SHIPS = ("BLUE DREAM MELODY", "MSC SPLENDIDA", "SPECTRUM OF THE SEAS", "ADORA MEDITERRANEA")
FIGURE_COLUMNS = (
    "day", "port", "direction", "journey", "journey_id", "route", "role", "nationality",
    "persons", "minutes_total",
)  # fmt: skip
FLIGHT_COLUMNS = (
    "id", "port", "number", "direction", "origin", "destination", "route", "scheduled_at",
    "actual_at", "created_at",
)  # fmt: skip
CRUISE_COLUMNS = ("id", "port", "ship_name", "voyage", "origin", "eta", "etd", "created_at")


def _split(rng: random.Random, persons: int, home: str) -> list[tuple[str, int]]:
    """A journey's passengers by nationality: Chinese, the route's country's, a few others."""
    cn = round(persons * rng.uniform(0.35, 0.7))
    theirs = round((persons - cn) * rng.uniform(0.6, 0.9)) if home not in ("CN", "") else 0
    rest = persons - cn - theirs
    found: dict[str, int] = {"CN": cn}
    if theirs:
        found[home] = found.get(home, 0) + theirs
    for nationality in rng.sample(OTHERS, rng.randint(1, 3)):
        part = rest if nationality == OTHERS[-1] else rng.randint(0, rest)
        found[nationality] = found.get(nationality, 0) + part
        rest -= part
    if rest:
        found["CN"] += rest
    return [(k, v) for k, v in found.items() if v > 0]


def passenger_rows(
    rng: random.Random,
    passengers: int,
    days: list[tuple[date, float]],
    clock: Clock,
    sqlite: bool,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Flights, cruise calls and their figures: 97 % of the passengers by air, 3 % by sea, the
    passengers adding up to `passengers` exactly."""
    cruise_target = passengers * 3 // 100
    air_target = passengers - cruise_target
    flights_n = max(1, round(air_target / 165))
    cruises_n = max(1, round(cruise_target / 3000)) if cruise_target else 0
    loads = _shares(air_target, [rng.uniform(0.5, 1.5) for _ in range(flights_n)])
    per_day = _shares(flights_n, [w for _, w in days])
    flights, figures = [], []
    flight_id = 0
    for (day, _), n in zip(days, per_day, strict=True):
        midnight = _local_midnight(day)
        for k in range(n):
            flight_id += 1
            airline, far, home = ROUTES[rng.randrange(len(ROUTES))]
            arriving = flight_id % 2 == 0
            direction = "arriving" if arriving else "departing"
            number = f"{airline}{800 + flight_id % 200}"
            origin, destination = (far, AIRPORT) if arriving else (AIRPORT, far)
            scheduled = midnight + 6 * 3600 + k * (61200 // max(1, n)) + flight_id % 60
            route = f"{origin}-{destination}"
            flights.append(
                (
                    flight_id, AIRPORT, number, direction, origin, destination,
                    json.dumps([origin, destination]), clock.text(scheduled),
                    clock.text(scheduled + rng.randint(-600, 1800)), clock.text(scheduled - DAY_S),
                )
            )  # fmt: skip
            persons = loads[flight_id - 1]
            iso = day.isoformat()
            for nationality, count in _split(rng, persons, home):
                minutes = round(count * rng.uniform(4, 14), 1)
                figures.append(
                    (iso, AIRPORT, direction, "flight", flight_id, route, "passenger",
                     nationality, count, minutes)
                )  # fmt: skip
            crew = CREW_NATIONALITY.get(airline, "CN")
            figures.append(
                (iso, AIRPORT, direction, "flight", flight_id, route, "crew", crew,
                 rng.randint(8, 14), 0.0)
            )  # fmt: skip
    cruises = []
    cruise_loads = _shares(cruise_target, [rng.uniform(0.7, 1.3) for _ in range(cruises_n)])
    for n, persons in enumerate(cruise_loads, start=1):
        day = days[(n * len(days)) // (cruises_n + 1)][0]
        eta = _local_midnight(day) + 7 * 3600
        cruises.append(
            (n, PORT, CRUISE_SHIPS[n % len(CRUISE_SHIPS)], f"CR{n:04d}", "JPFUK",
             clock.text(eta), clock.text(eta + 10 * 3600), clock.text(eta - 20 * DAY_S))
        )  # fmt: skip
        route = f"JPFUK-{PORT}"
        for nationality, count in _split(rng, persons, "JP"):
            figures.append(
                (day.isoformat(), PORT, "arriving", "cruise", n, route, "passenger",
                 nationality, count, round(count * rng.uniform(2, 6), 1))
            )  # fmt: skip
        figures.append(
            (day.isoformat(), PORT, "arriving", "cruise", n, route, "crew", "PH",
             rng.randint(900, 1300), 0.0)
        )  # fmt: skip
    return flights, cruises, figures


CROSSING_COLUMNS = ("port", "counter", "direction", "queued_at", "crossed_at", "outcome")


def crossing_batches(
    rng: random.Random,
    count: int,
    days: list[tuple[date, float]],
    now_epoch: int,
    clock: Clock,
    batch: int,
) -> Iterator[list[tuple[Any, ...]]]:
    """Crossings in time order: e-gates (a minute or two), counters (a quarter of an hour), the
    cruise gangways; a few without a queue time, a few held."""
    rand, lognorm, text_of = rng.random, rng.lognormvariate, clock.text
    rows: list[tuple[Any, ...]] = []
    for (day, _), n in zip(days, _shares(count, [w for _, w in days]), strict=True):
        midnight = _local_midnight(day)
        end = min(DAY_S, now_epoch - midnight)
        for second in _times_of_day(rng, n, 0, max(1, end)):
            crossed = midnight + second
            r = rand()
            if r < 0.04:
                port, counter = PORT, f"GANGWAY-{1 + int(r * 50)}"
                waited = round(lognorm(5.9, 0.5))  # ~6 min
            elif r < 0.58:
                port, counter = AIRPORT, f"E-GATE-{1 + int(r * 1000) % 16:02d}"
                waited = round(lognorm(4.4, 0.6))  # ~80 s
            else:
                port, counter = AIRPORT, f"COUNTER-{1 + int(r * 1000) % 24:02d}"
                waited = round(lognorm(6.7, 0.6))  # ~13 min
            queued = None if rand() < 0.02 else text_of(crossed - waited)
            outcome = "held" if rand() < 0.002 else "passed"
            direction = "arriving" if rand() < 0.5 else "departing"
            rows.append((port, counter, direction, queued, text_of(crossed), outcome))
            if len(rows) >= batch:
                yield rows
                rows = []
    if rows:
        yield rows


# --- port calls ----------------------------------------------------------------------------------

PORT_CALL_COLUMNS = (
    "agent_org_id", "filed_by", "imo", "mmsi", "ship_name", "voyage", "port", "berth", "eta",
    "etd", "status", "late", "filed_at", "arrival", "departure", "departure_filed_at",
    "entry_permit_at", "departure_permit_at", "ata", "all_fast", "ops_start", "ops_complete",
    "atd", "ata_source", "version",
)  # fmt: skip
BERTHS = (*(f"QQCT-{n:02d}" for n in range(1, 13)), "DJK-01", "DJK-02", "HUANGDAO-OIL-1")


def port_call_rows(
    rng: random.Random,
    count: int,
    days: list[tuple[date, float]],
    now_epoch: int,
    clock: Clock,
    agent: tuple[int, int],
) -> list[tuple[Any, ...]]:
    """Port calls arriving through the period, each with its timeline up to now: most
    zero-wait, some waiting for a permit."""
    rows = []
    text_of = clock.text
    serial = 0
    for (day, _), n in zip(days, _shares(count, [w for _, w in days]), strict=True):
        midnight = _local_midnight(day)
        for second in _times_of_day(rng, n, 0):
            serial += 1
            flag = common.SHIPS_FLAGS[serial % len(common.SHIPS_FLAGS)]
            ship = serial % 1500
            eta = midnight + second
            filed = eta - round(rng.uniform(1.5, 4) * DAY_S)
            late = rng.random() < 0.03
            ata = eta + round(rng.gauss(0, 5400))
            waits = rng.random() < 0.15
            entry = filed + round(rng.uniform(600, 7200))
            all_fast = ata + round(rng.uniform(1800, 7200))
            if waits:
                entry = all_fast + round(rng.uniform(600, 5400))
            ops_start = max(all_fast, entry) + round(rng.uniform(900, 3600))
            ops_complete = ops_start + round(rng.uniform(10, 40) * 3600)
            departure_filed = ops_start + 3600
            departure_permit = ops_complete - round(rng.uniform(600, 7200))
            if rng.random() < 0.1:
                departure_permit = ops_complete + round(rng.uniform(600, 3600))
            atd = max(ops_complete, departure_permit) + round(rng.uniform(1800, 7200))
            etd = ops_complete + 3 * 3600
            times = {
                "entry_permit_at": entry,
                "ata": ata,
                "all_fast": all_fast,
                "ops_start": ops_start,
                "departure_filed_at": departure_filed,
                "departure_permit_at": departure_permit,
                "ops_complete": ops_complete,
                "atd": atd,
            }
            status = "filed"
            version = 1
            for name, state in (
                ("entry_permit_at", "cleared"),
                ("ata", "arrived"),
                ("all_fast", "alongside"),
                ("ops_start", "working"),
                ("ops_complete", "completed"),
                ("atd", "departed"),
            ):
                if times[name] <= now_epoch:
                    status = state
            shown = {k: (text_of(v) if v <= now_epoch else None) for k, v in times.items()}
            version += sum(v is not None for v in shown.values())
            voyage = f"{serial % 900 + 100}{'EWNS'[serial % 4]}"
            arrival = (
                f'{{"ship":{{"imo":"{common.imo_number(ship)}","name":"BENCH STAR {ship}",'
                f'"flag":"{flag}"}},"voyage":"{voyage}","port":"{PORT}",'
                f'"last_ports":["KRPUS","CNSHA"],"security_level":1}}'
            )
            departure = None
            if shown["departure_filed_at"] is not None:
                departure = f'{{"etd":"{text_of(etd)}","next_port":"KRPUS"}}'
            rows.append(
                (
                    agent[0], agent[1], common.imo_number(ship),
                    f"{common.MIDS[flag]}{ship:06d}", f"BENCH STAR {ship}", voyage, PORT,
                    BERTHS[serial % len(BERTHS)], text_of(eta), text_of(etd), status, late,
                    text_of(filed), arrival, departure, shown["departure_filed_at"],
                    shown["entry_permit_at"], shown["departure_permit_at"], shown["ata"],
                    shown["all_fast"], shown["ops_start"], shown["ops_complete"], shown["atd"],
                    "ais" if shown["ata"] else None, version,
                )
            )  # fmt: skip
    return rows


# --- the whole generation ------------------------------------------------------------------------


def _brokers(ctx: ServiceContext, count: int) -> list[tuple[int, int, str]]:
    """(organisation id, user id, organisation name) of `count` customs brokers."""
    found = []
    for n in range(count):
        name = common.BROKER_ORG if n == 0 else f"Bench Brokerage {n:02d}"
        username = common.BROKER if n == 0 else f"bench_broker_{n:02d}"
        user_id = users.create_user(
            ctx, username, common.PASSWORD, OrgType.CUSTOMS_BROKER, name
        )  # fmt: skip
        actor = users.actor_for(ctx, user_id)
        found.append((actor.org_id, user_id, name))
    return found


def generate(
    ctx: ServiceContext,
    declarations: int,
    passengers: int,
    crossings: int,
    port_calls: int,
    progress: Progress,
) -> dict[str, Any]:
    """Every record, as rows; the rows written per table and the seconds it took."""
    rng = random.Random(SEED)
    now = ctx.clock()
    now_epoch = int(now.timestamp())
    today = now.astimezone(PORT_ZONE).date()
    first = Month.of(today).shift(-24).first_day()
    days = _days(first, today, now_epoch)
    traders_by_code = common.register_traders(
        ctx, rng, 200, {"AA": 10, "A": 20, "B": 60, "C": 8, "D": 2}
    )
    traders = [(c, f"Bench Trader {int(c[2:]):05d}", k) for c, k in traders_by_code.items()]
    brokers = _brokers(ctx, 6)
    agent = common.agent(ctx)
    loader = Loader(ctx.engine)
    clock = Clock(first, today, loader.sqlite)
    batch = 50_000 if loader.sqlite else 10_000
    written: dict[str, int] = {}
    started = time.perf_counter()

    def load(table: Table, columns: Sequence[str], batches: Iterator[list[tuple[Any, ...]]],
             total: int) -> None:  # fmt: skip
        task = progress.add_task(table.name, total=total)
        sql = loader.statement(table, columns)
        for rows in batches:
            loader.insert(sql, rows)
            written[table.name] = written.get(table.name, 0) + len(rows)
            progress.advance(task, len(rows))

    def chunks(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
        for start in range(0, len(rows), batch):
            yield rows[start : start + batch]

    calls = port_call_rows(rng, port_calls, days, now_epoch, clock, (agent.org_id, agent.user_id))
    load(PortCall.__table__, PORT_CALL_COLUMNS, chunks(calls), len(calls))
    flights, cruises, figures = passenger_rows(rng, passengers, days, clock, loader.sqlite)
    load(Flight.__table__, FLIGHT_COLUMNS, chunks(flights), len(flights))
    load(CruiseCall.__table__, CRUISE_COLUMNS, chunks(cruises), len(cruises))
    load(PassengerFigure.__table__, FIGURE_COLUMNS, chunks(figures), len(figures))
    load(
        Crossing.__table__,
        CROSSING_COLUMNS,
        crossing_batches(rng, crossings, days, now_epoch, clock, batch),
        crossings,
    )
    load(
        DeclarationRow.__table__,
        DECLARATION_COLUMNS,
        declaration_batches(rng, declarations, days, now_epoch, clock, brokers, traders, batch),
        declarations,
    )
    loader.finish(["flights", "cruise_calls"])
    seconds = time.perf_counter() - started
    figured = sum(row[8] for row in figures if row[6] == "passenger")
    assert figured == passengers, (figured, passengers)
    return {
        "rows": written,
        "rows_total": sum(written.values()),
        "passengers_in_figures": figured,
        "period": [str(first), str(today)],
        "generation_s": round(seconds, 1),
        "generation_rows_per_s": round(sum(written.values()) / seconds),
    }


def import_history(ctx: ServiceContext, month: Month) -> int:
    """The port's and the peer ports' statistical returns for the 24 months before `month` (the
    demo's history): what the dashboard ranks against."""
    from kouan.demo.history import history_csv, history_rows
    from kouan.services.stats import imports

    rows = history_rows(month.previous())
    imports.import_file(ctx, SYSTEM, history_csv(rows).encode("utf-8"), "history.csv")
    return len(rows)


# --- the dashboard -------------------------------------------------------------------------------


def _signed_in(ctx: ServiceContext) -> Any:
    """A browser signed in as the port office through the login form."""
    import re

    from fastapi.testclient import TestClient

    from kouan.web.app import create_app

    users.create_user(ctx, PORT_OFFICE, common.PASSWORD, OrgType.PORT_OFFICE, "Bench Port Office")
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token, "the login page has no CSRF token"
    answer = client.post(
        "/login",
        data={"username": PORT_OFFICE, "password": common.PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


@contextlib.contextmanager
def _profiled(profiler: cProfile.Profile) -> Iterator[None]:
    """The /stats handler run under `profiler`, in the thread that serves it: from reading its
    parameters (the handler's first step after the permission) to the rendered page."""
    from kouan.web.ui import stats as page

    query, show = page._dashboard_query, page.show

    def started(*args: Any, **kwargs: Any) -> Any:
        profiler.enable()
        return query(*args, **kwargs)

    def shown(*args: Any, **kwargs: Any) -> Any:
        try:
            return show(*args, **kwargs)
        finally:
            profiler.disable()

    page._dashboard_query, page.show = started, shown  # type: ignore[assignment]
    try:
        yield
    finally:
        page._dashboard_query, page.show = query, show  # type: ignore[assignment]


def dashboard(
    ctx: ServiceContext, month: Month, requests: int, profile: Path | None, as_json: bool
) -> dict[str, Any]:
    client = _signed_in(ctx)
    found: dict[str, Any] = {}
    for period in ("month", "ytd"):
        path = f"/stats?month={month}&period={period}"
        warm = client.get(path)
        assert warm.status_code == 200, warm.text[:500]
        samples = []
        for _ in range(requests):
            t0 = time.perf_counter()
            answer = client.get(path)
            samples.append(time.perf_counter() - t0)
            assert answer.status_code == 200
        figures = common.latency_figures(samples)
        found[period] = {"path": path, **figures, "bytes": len(answer.content)}
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            profiler = cProfile.Profile()
            with _profiled(profiler):
                client.get(path)
            out = profile / f"stats-{period}.prof"
            profiler.dump_stats(out)
            found[period]["profile"] = str(out)
            if not as_json:
                buffer = io.StringIO()
                pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(35)
                print(buffer.getvalue())
    return found


# --- the rollup's cost to a filing ---------------------------------------------------------------

HOOKS = ("declarations_released", "call_event", "crossings_recorded", "journey_counted")


def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


def rollup_cost(ctx: ServiceContext, filings: int, rounds: int) -> dict[str, Any]:
    """Green-lane declarations filed through the service layer, in `rounds` alternating pairs:
    the rollup hooks as they are, then no-ops; the difference per filing, and the hook's own
    time as measured inside the filings."""
    from kouan.services.cargo import declarations as filing
    from kouan.services.stats import rollups

    rng = random.Random(SEED + 1)
    with ctx.uow(SYSTEM, write=False) as uow:
        codes = uow.session.execute(
            text("SELECT code, credit_class FROM traders WHERE credit_class = 'AA'")
        ).all()
    traders = {code: credit for code, credit in codes}
    broker = _broker_actor(ctx)
    goods = common.clean_subheadings()
    per_round = max(1, filings // rounds)
    total = per_round * rounds * 2 + per_round
    made = [
        Declaration.model_validate(common.declaration_data(rng, n, traders, goods, run="F"))
        for n in range(total)
    ]
    originals = {name: getattr(rollups, name) for name in HOOKS}
    hook_s = [0.0]
    hook_calls = [0]

    def timed_hook(*args: Any, **kwargs: Any) -> None:
        t0 = time.perf_counter()
        originals["declarations_released"](*args, **kwargs)
        hook_s[0] += time.perf_counter() - t0
        hook_calls[0] += 1

    def run(batch: list[Declaration]) -> tuple[float, float, int]:
        green = 0
        t0, cpu0 = time.perf_counter(), time.process_time()
        for declaration in batch:
            status, view = filing.file_declaration(ctx, broker, declaration)
            assert status == 201
            green += view["lane"] == "green"
        return time.perf_counter() - t0, time.process_time() - cpu0, green

    arms: dict[str, list[tuple[float, float, int]]] = {"with": [], "without": []}
    batches = iter(made[i : i + per_round] for i in range(0, len(made), per_round))
    try:
        run(next(batches))  # warm-up: caches, compiled statements, today's rollup rows
        for _ in range(rounds):
            for arm in ("with", "without"):
                for name in HOOKS:
                    setattr(rollups, name, originals[name] if arm == "with" else _noop)
                if arm == "with":
                    rollups.declarations_released = timed_hook  # type: ignore[assignment]
                arms[arm].append(run(next(batches)))
    finally:
        for name, hook in originals.items():
            setattr(rollups, name, hook)

    def per_filing(arm: str, index: int) -> list[float]:
        return [r[index] / per_round * 1e6 for r in arms[arm]]

    wall = [a - b for a, b in zip(per_filing("with", 0), per_filing("without", 0), strict=True)]
    cpu = [a - b for a, b in zip(per_filing("with", 1), per_filing("without", 1), strict=True)]
    greens = sum(r[2] for r in arms["with"])
    return {
        "filings_per_arm": per_round * rounds,
        "rounds": rounds,
        "green_with_hooks": greens,
        "with_hooks_us_per_filing": round(statistics.median(per_filing("with", 0))),
        "without_hooks_us_per_filing": round(statistics.median(per_filing("without", 0))),
        "rollup_cost_us_per_filing": round(statistics.median(wall)),
        "rollup_cost_cpu_us_per_filing": round(statistics.median(cpu)),
        "hook_own_us_per_green_filing": round(hook_s[0] / max(1, greens) * 1e6),
        "hook_calls": hook_calls[0],
    }


def _broker_actor(ctx: ServiceContext) -> Actor:
    with ctx.uow(SYSTEM, write=False) as uow:
        user_id = uow.session.execute(
            text("SELECT id FROM users WHERE username = :u"), {"u": common.BROKER}
        ).scalar_one()
    return users.actor_for(ctx, int(user_id))


# --- the scratch database ------------------------------------------------------------------------


def _ensure_postgres_database(url: str) -> None:
    """Create the (scratch) PostgreSQL database the URL names if it does not exist."""
    from sqlalchemy import create_engine

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database}
        ).first()
        if exists is None:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def main(
    declarations: Annotated[int, typer.Option(help="Declaration rows to generate.")] = 10_000_000,
    passengers: Annotated[
        int, typer.Option(help="Passengers the figures count (flights and cruise calls).")
    ] = 5_000_000,
    crossings: Annotated[
        int | None, typer.Option(help="Crossings to generate (default: a fifth of passengers).")
    ] = None,
    port_calls: Annotated[int, typer.Option(help="Port calls to generate.")] = 5000,
    requests: Annotated[int, typer.Option(help="Timed requests of each dashboard page.")] = 20,
    filings: Annotated[
        int, typer.Option(help="Declarations filed through the service layer in each arm.")
    ] = 1000,
    rounds: Annotated[int, typer.Option(help="Alternating rounds of the filing comparison.")] = 5,
    profile: Annotated[
        Path | None, typer.Option(help="Write cProfile stats of one request per page here.")
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the scratch SQLite file.")] = False,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    if database_url:
        _ensure_postgres_database(database_url)
    url, dialect = common.scratch_database(database_url)
    result: dict[str, Any] = {"name": "dashboard", "database": dialect}
    try:
        crossings = passengers // 5 if crossings is None else crossings
        counts = (declarations, passengers, crossings, port_calls)
        result.update(_run(url, counts, requests, filings, rounds, profile, as_json))
    finally:
        parsed = make_url(url)
        if dialect == "sqlite" and parsed.database:  # the scratch file, unless kept
            # The engine's WAL checkpointer reconnects DELAY_S after the last commit: let it
            # finish first, or it creates the file again after it is removed.
            time.sleep(1.0)
            path = Path(parsed.database)
            files = list(path.parent.glob(path.name + "*"))
            result["database_bytes"] = sum(f.stat().st_size for f in files)
            if keep:
                result["database_file"] = str(path)
            else:
                for file in files:
                    file.unlink()
                with contextlib.suppress(OSError):
                    path.parent.rmdir()
    common.emit(result, as_json)


def _run(
    url: str,
    counts: tuple[int, int, int, int],
    requests: int,
    filings: int,
    rounds: int,
    profile: Path | None,
    as_json: bool,
) -> dict[str, Any]:
    from kouan.services.stats import rollups

    declarations, passengers, crossings, port_calls = counts
    ctx = common.context(url)
    with Progress(disable=as_json, transient=True) as progress:
        generated = generate(ctx, declarations, passengers, crossings, port_calls, progress)
    month = Month.of(ctx.clock().astimezone(PORT_ZONE).date())
    imported = import_history(ctx, month)
    t0, cpu0 = time.perf_counter(), time.process_time()
    written = rollups.rebuild(ctx)
    rebuild_s, rebuild_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    with ctx.uow(SYSTEM, write=False) as uow:
        rollup_rows = uow.session.query(StatRollup).count()
    # The pages are others' work in progress: a page that fails is reported, not fatal.
    try:
        pages = dashboard(ctx, month, requests, profile, as_json)
    except Exception as exc:
        pages = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    cost = rollup_cost(ctx, filings, rounds)
    ctx.engine.dispose()
    return {
        "declarations": declarations,
        "passengers": passengers,
        "crossings": crossings,
        "port_calls": port_calls,
        **generated,
        "imported_figures": imported,
        "rebuild_s": round(rebuild_s, 1),
        "rebuild_cpu_s": round(rebuild_cpu_s, 1),
        "rollup_rows": rollup_rows,
        "rollups_by_indicator": written,
        **{
            f"dashboard_{period}_{figure}": pages.get(period, {}).get(figure)
            for period in ("month", "ytd")
            for figure in ("p50_ms", "p99_ms")
        },
        "dashboard": pages,
        "dashboard_requests": requests,
        "rollup_cost_us_per_filing": cost["rollup_cost_us_per_filing"],
        "filing": cost,
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }


if __name__ == "__main__":
    typer.run(main)
