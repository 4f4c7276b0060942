"""The rollups: what Kouan's own records give each computed indicator per day, port and dimension
(`stat_rollups`), kept current as records change and rebuilt from the records at will.

Every record is read into **observations** by one function per kind of record (`_call_obs`,
`_declaration_obs`, `_crossing_obs`; passenger figures by `_passenger_tallies`), and a rollup
row is the tally of its observations: how many (`count`), their sum (`total`, whole numbers:
seconds for durations, so sums are exact whatever the order) and a histogram of durations in the
logarithmic `BUCKETS`. Keeping them current and rebuilding them use the same functions, so
`rebuild` gives exactly what was kept:

- a port call's ATA, ATD, and an ALL_FAST or OPS_COMPLETE corrected after ATD (`call_event`,
  from ships.portcalls.record_event_in): the call's observations before and after, as a delta;
- a declaration's release (`declarations_released`, from cargo.release.settle and, for the green
  lane released as filed, cargo.declarations._store): added once, as a release is never undone;
- a crossing (`crossings_recorded`, from passengers.crossings): added once;
- a journey's passenger figures recounted (`journey_counted`, from passengers.lists._count):
  every day of the journey's figures recounted (`recount`) from `passenger_figures`.

Nothing runs on the filing of a port call: its figures change only at ATA and ATD. On PostgreSQL
each (day, port, indicator) is changed under a transaction-scoped advisory lock taken before it
is read, so concurrent units add up instead of overwriting each other (READ COMMITTED: what is
read after the lock includes what the unit before committed); SQLite has one writer anyway.

Which records give which indicator (the figures' definitions, kouan.domain.stats.indicators):

- ship_calls: each port call's arrival (ATA) and departure (ATD) at its seaport, on the port's
  local day of each; lane "arriving" or "departing";
- zero_wait_rate, wait_minutes_lost: each call on the day of its ATD (as the board counts
  them): zero-wait calls of departed calls, and the minutes waited for permits
  (kouan.domain.portcall.zero_wait, measured up to ATD), as seconds with a histogram;
- declaration_clearance_minutes: each released declaration, filing to release, on the day of
  its release at its release port; lane its lane, office its declaration office; histogram;
- passenger_clearance_minutes: each passed crossing with a queue time, queue to crossing, on the
  day crossed at its port; lane "e-gate", "gangway" or "counter"; histogram;
- air_passengers, air_passengers_foreign, flights: `passenger_figures` of flights at the airport
  (IATA code), lane the direction; passengers only (crews are not passengers); foreign: a
  nationality other than CN, HK, MO and TW (Hong Kong, Macao and Taiwan residents travel on
  permits, not foreign passports) and known; flights: the flights with a list that day;
- cruise_passengers: `passenger_figures` of cruise calls, passengers only, lane the direction;
- cruise_calls: each cruise call with a list, once, on the first day of its figures;
- container_throughput, foreign_trade_cargo: each container a terminal discharged or loaded
  (`terminal_moves`, from COARRI or the API: `moves_recorded`, from terminal.moves), on the
  port's local day of the move; lane "discharged" or "loaded"; TEU from its ISO 6346 size-type
  (a move of no known length is not counted), whole tonnes from its gross weight (rounded per
  move; a move without a weight is not counted).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Dialect

from kouan.adapters.db import plain
from kouan.adapters.db.passenger_tables import Crossing, PassengerFigure
from kouan.adapters.db.stats_tables import StatRollup
from kouan.adapters.db.tables import DeclarationRow, PortCall
from kouan.adapters.db.terminal_tables import TerminalMove
from kouan.domain.portcall import TimelineEvent, zero_wait
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.site import PORT_ZONE

# --- the histogram's buckets ---------------------------------------------------------------------

# Bucket 0 holds durations under a second; bucket i (1 <= i < BUCKETS - 1) those from RATIO**(i-1)
# to RATIO**i seconds; the last everything longer (about 44 days and more). A percentile read
# from them is within half a bucket, about 2.5 %, of the exact one.
RATIO = 1.05
BUCKETS = 320
_LOG_RATIO = math.log(RATIO)


def bucket(seconds: float) -> int:
    """The bucket of a duration in seconds."""
    if seconds < 1:
        return 0
    index = math.floor(math.log(seconds) / _LOG_RATIO) + 1
    # Guard against the logarithm's rounding at an edge.
    if RATIO ** (index - 1) > seconds:
        index -= 1
    elif RATIO**index <= seconds:
        index += 1
    return min(index, BUCKETS - 1)


def bucket_bounds(index: int) -> tuple[float, float]:
    """The seconds a bucket spans, from (included) and to (excluded)."""
    if index == 0:
        return 0.0, 1.0
    return RATIO ** (index - 1), RATIO**index


def quantile(histogram: list[int], q: float) -> float | None:
    """The `q`-th percentile (0 to 100) in seconds of the durations a histogram counts,
    interpolated inside its bucket (geometrically, as the buckets grow); None when empty."""
    n = sum(histogram)
    if n == 0:
        return None
    rank = q / 100 * n
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low, high = bucket_bounds(index)
            share = (rank - seen) / count if count else 0.0
            if index == 0:
                return low + (high - low) * share
            return float(low * (high / low) ** share)
        seen += count
    return bucket_bounds(len(histogram) - 1)[0]


# --- observations and tallies --------------------------------------------------------------------

TIMED = frozenset(
    {"wait_minutes_lost", "declaration_clearance_minutes", "passenger_clearance_minutes"}
)
CALL_INDICATORS = ("ship_calls", "zero_wait_rate", "wait_minutes_lost")
FLIGHT_INDICATORS = ("air_passengers", "air_passengers_foreign", "flights")
CRUISE_INDICATORS = ("cruise_passengers", "cruise_calls")
MOVE_INDICATORS = ("container_throughput", "foreign_trade_cargo")
# Every indicator Kouan computes from its records (the others are imported).
COMPUTED = frozenset(
    {
        *CALL_INDICATORS,
        *FLIGHT_INDICATORS,
        *CRUISE_INDICATORS,
        *MOVE_INDICATORS,
        "declaration_clearance_minutes",
        "passenger_clearance_minutes",
    }
)
# Nationalities that are not foreign: China's, and Hong Kong's, Macao's and Taiwan's residents.
DOMESTIC = frozenset({"CN", "HK", "MO", "TW"})

# (day, port, indicator, lane, office, agency)
Key = tuple[date, str, str, str, str, str]


@dataclass(frozen=True)
class Obs:
    """One observation: it adds 1 to its rollup's count and `value` to its total."""

    indicator: str
    day: date
    port: str
    value: int
    lane: str = ""
    office: str = ""
    agency: str = ""

    @property
    def key(self) -> Key:
        return (self.day, self.port, self.indicator, self.lane, self.office, self.agency)


@dataclass
class Tally:
    count: int = 0
    total: int = 0
    histogram: list[int] = field(default_factory=list)

    def add(self, count: int, total: int, bucket_index: int | None = None, sign: int = 1) -> None:
        self.count += sign * count
        self.total += sign * total
        if bucket_index is not None:
            if len(self.histogram) <= bucket_index:
                self.histogram.extend([0] * (bucket_index + 1 - len(self.histogram)))
            self.histogram[bucket_index] += sign * count

    def observe(self, obs: Obs, sign: int = 1) -> None:
        timed = bucket(obs.value) if obs.indicator in TIMED else None
        self.add(1, obs.value, timed, sign)

    def merge(self, other: Tally, sign: int = 1) -> None:
        self.count += sign * other.count
        self.total += sign * other.total
        if len(self.histogram) < len(other.histogram):
            self.histogram.extend([0] * (len(other.histogram) - len(self.histogram)))
        for index, count in enumerate(other.histogram):
            self.histogram[index] += sign * count

    @property
    def empty(self) -> bool:
        return self.count == 0 and self.total == 0 and not any(self.histogram)

    def trimmed(self) -> list[int]:
        histogram = list(self.histogram)
        while histogram and histogram[-1] == 0:
            histogram.pop()
        return histogram


def local_day(at: datetime) -> date:
    """The port's local date of an instant."""
    return at.astimezone(PORT_ZONE).date()


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), PORT_ZONE)
    return start, datetime.combine(day + timedelta(days=1), time(), PORT_ZONE)


def _get(record: Any, name: str) -> Any:
    return record[name] if isinstance(record, Mapping) else getattr(record, name)


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _call_obs(call: Any) -> list[Obs]:
    """A port call's observations: its arrival and departure, and its waits once departed."""
    port, ata, atd = _get(call, "port"), _get(call, "ata"), _get(call, "atd")
    found = []
    if ata is not None:
        found.append(Obs("ship_calls", local_day(ata), port, 1, lane="arriving"))
    if atd is not None:
        day = local_day(atd)
        found.append(Obs("ship_calls", day, port, 1, lane="departing"))
        waits = zero_wait(
            _get(call, "all_fast"),
            _get(call, "entry_permit_at"),
            _get(call, "ops_complete"),
            _get(call, "departure_permit_at"),
            atd,
        )
        found.append(Obs("zero_wait_rate", day, port, int(waits.is_zero_wait)))
        found.append(Obs("wait_minutes_lost", day, port, round(waits.non_working_minutes * 60)))
    return found


def _declaration_obs(row: Any) -> list[Obs]:
    released = _get(row, "released_at")
    if released is None:
        return []
    return [
        Obs(
            "declaration_clearance_minutes",
            local_day(released),
            _get(row, "release_port"),
            _seconds(_get(row, "filed_at"), released),
            lane=_get(row, "lane") or "",
            office=_get(row, "declaration_office") or "",
        )
    ]


def counter_kind(counter: str) -> str:
    counter = counter.upper()
    if counter.startswith(("E-GATE", "EGATE")):
        return "e-gate"
    if counter.startswith("GANGWAY"):
        return "gangway"
    return "counter"


def _crossing_obs(row: Any) -> list[Obs]:
    queued = _get(row, "queued_at")
    if _get(row, "outcome") != "passed" or queued is None:
        return []
    crossed = _get(row, "crossed_at")
    return [
        Obs(
            "passenger_clearance_minutes",
            local_day(crossed),
            _get(row, "port"),
            _seconds(queued, crossed),
            lane=counter_kind(_get(row, "counter")),
        )
    ]


def _move_obs(row: Any) -> list[Obs]:
    """A container moved: its TEU and its gross weight in whole tonnes, on the day of the move."""
    day, port, lane = local_day(_get(row, "at")), _get(row, "port"), _get(row, "kind")
    teu, kg = _get(row, "teu"), _get(row, "gross_kg")
    found = []
    if teu is not None:
        found.append(Obs("container_throughput", day, port, int(teu), lane=lane))
    if kg is not None:
        found.append(Obs("foreign_trade_cargo", day, port, round(kg / 1000), lane=lane))
    return found


_MOVE_COLUMNS = (TerminalMove.at, TerminalMove.port, TerminalMove.kind, TerminalMove.teu,
                 TerminalMove.gross_kg)  # fmt: skip


# (day, port, journey, journey_id, direction, role, nationality, persons)
FigureRow = tuple[date, str, str, int, str, str, str, int]


def _passenger_tallies(
    rows: Iterable[FigureRow], first_days: Mapping[tuple[str, int], date]
) -> dict[Key, Tally]:
    """The passenger indicators of `passenger_figures` rows; `first_days` gives each cruise
    call's (port, id) first day of figures, where it counts as a call."""
    tallies: dict[Key, Tally] = defaultdict(Tally)
    journeys: dict[Key, set[int]] = defaultdict(set)
    for day, port, journey, journey_id, direction, role, nationality, persons in rows:
        passenger = role == "passenger"
        if journey == "flight":
            journeys[(day, port, "flights", direction, "", "")].add(journey_id)
            if passenger:
                tallies[(day, port, "air_passengers", direction, "", "")].add(persons, persons)
                if nationality and nationality not in DOMESTIC:
                    key = (day, port, "air_passengers_foreign", direction, "", "")
                    tallies[key].add(persons, persons)
        elif journey == "cruise":
            if first_days.get((port, journey_id)) == day:
                journeys[(day, port, "cruise_calls", "", "", "")].add(journey_id)
            if passenger:
                tallies[(day, port, "cruise_passengers", direction, "", "")].add(persons, persons)
    for key, ids in journeys.items():
        tallies[key].add(len(ids), len(ids))
    return {key: tally for key, tally in tallies.items() if not tally.empty}


_FIGURE_COLUMNS = (
    PassengerFigure.day,
    PassengerFigure.port,
    PassengerFigure.journey,
    PassengerFigure.journey_id,
    PassengerFigure.direction,
    PassengerFigure.role,
    PassengerFigure.nationality,
    func.sum(PassengerFigure.persons),
)


def _figure_rows(uow: UnitOfWork, *where: Any) -> list[FigureRow]:
    query = select(*_FIGURE_COLUMNS).where(*where).group_by(*_FIGURE_COLUMNS[:-1])
    return [
        (day, port, journey, int(jid), direction, role, nationality or "", int(persons))
        for day, port, journey, jid, direction, role, nationality, persons in uow.session.execute(
            query
        )
    ]


def _first_days(uow: UnitOfWork, *where: Any) -> dict[tuple[str, int], date]:
    query = (
        select(PassengerFigure.port, PassengerFigure.journey_id, func.min(PassengerFigure.day))
        .where(PassengerFigure.journey == "cruise", *where)
        .group_by(PassengerFigure.port, PassengerFigure.journey_id)
    )
    return {(port, int(jid)): first for port, jid, first in uow.session.execute(query)}


# --- writing rollups -----------------------------------------------------------------------------


def _lock(uow: UnitOfWork, day: date, port: str, indicator: str) -> None:
    """On PostgreSQL, hold (day, port, indicator) until the unit ends: the next unit reads what
    this one wrote."""
    conn = uow.connection()
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"stats:{day}:{port}:{indicator}".encode(), digest_size=8).digest()
    plain.fetch(
        conn, _statements(conn.dialect).lock, {"key": int.from_bytes(digest, "big", signed=True)}
    )


def _row(key: Key, tally: Tally) -> dict[str, Any]:
    day, port, indicator, lane, office, agency = key
    return {
        "day": day,
        "port": port,
        "indicator": indicator,
        "lane": lane,
        "office": office,
        "agency": agency,
        "count": tally.count,
        "total": float(tally.total),
        "histogram": tally.trimmed(),
    }


_TABLE = cast(Table, StatRollup.__table__)
_KEY_COLUMNS = ("day", "port", "indicator", "lane", "office", "agency")
_ROW_COLUMNS = (*_KEY_COLUMNS, "count", "total", "histogram")  # the id is the database's


@dataclass(frozen=True)
class _Statements:
    """What `_apply` runs on every filing that releases, compiled once per dialect and run on
    the driver (kouan.adapters.db.plain); `histogram` turns the driver's value into the list."""

    lock: plain.PlainStatement
    find: plain.PlainStatement
    histogram: Callable[[Any], Any] | None
    insert: plain.PlainStatement
    update: plain.PlainStatement
    delete: plain.PlainStatement


@lru_cache(maxsize=8)
def _statements(dialect: Dialect) -> _Statements:
    columns = _TABLE.c
    find = select(columns.id, columns.count, columns.total, columns.histogram).where(
        *(columns[name] == bindparam(name, type_=columns[name].type) for name in _KEY_COLUMNS)
    )
    changed = {
        name: bindparam(name, type_=columns[name].type) for name in ("count", "total", "histogram")
    }
    inserted = {name: bindparam(name, type_=columns[name].type) for name in _ROW_COLUMNS}
    row_id = bindparam("row_id", type_=columns.id.type)
    histogram_type = columns.histogram.type.dialect_impl(dialect)
    return _Statements(
        lock=plain.compile_plain(
            select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger))), dialect
        ),
        find=plain.compile_plain(find, dialect),
        histogram=histogram_type.result_processor(dialect, None),
        insert=plain.compile_plain(insert(_TABLE).values(inserted), dialect),
        update=plain.compile_plain(
            update(_TABLE).where(columns.id == row_id).values(changed), dialect
        ),
        delete=plain.compile_plain(delete(_TABLE).where(columns.id == row_id), dialect),
    )


def _apply(uow: UnitOfWork, deltas: Mapping[Key, Tally]) -> None:
    """Add each delta to its rollup row (made or removed as it becomes non-empty or empty)."""
    conn: Connection | None = None
    statements: _Statements | None = None
    locked: set[tuple[date, str, str]] = set()
    for key in sorted(deltas):
        delta = deltas[key]
        if delta.empty:
            continue
        if conn is None or statements is None:
            conn = uow.connection()
            statements = _statements(conn.dialect)
        if key[:3] not in locked:
            _lock(uow, *key[:3])
            locked.add(key[:3])
        found = plain.fetch(conn, statements.find, dict(zip(_KEY_COLUMNS, key, strict=True)))
        if not found:
            plain.run(conn, statements.insert, [_row(key, delta)])
            continue
        row_id, count, total, histogram = found[0]
        if statements.histogram is not None:
            histogram = statements.histogram(histogram)
        tally = Tally(int(count), round(total), list(histogram))
        tally.merge(delta)
        if tally.empty:
            plain.run(conn, statements.delete, [{"row_id": row_id}])
        else:
            changed = {
                "row_id": row_id,
                "count": tally.count,
                "total": float(tally.total),
                "histogram": tally.trimmed(),
            }
            plain.run(conn, statements.update, [changed])


def _deltas(added: Iterable[Obs], removed: Iterable[Obs] = ()) -> dict[Key, Tally]:
    deltas: dict[Key, Tally] = defaultdict(Tally)
    for obs in added:
        deltas[obs.key].observe(obs)
    for obs in removed:
        deltas[obs.key].observe(obs, sign=-1)
    return deltas


# --- the hooks -----------------------------------------------------------------------------------

_CALL_COLUMNS = (
    "port",
    "ata",
    "atd",
    "all_fast",
    "entry_permit_at",
    "ops_complete",
    "departure_permit_at",
)


def call_event(uow: UnitOfWork, call: Any, event: TimelineEvent, previous: datetime | None) -> None:
    """A port call's `event` was recorded (it was at `previous` before, or not recorded): its
    figures move from what they were to what they are. Only ATA and ATD, and times corrected
    after ATD, change them."""
    if event is not TimelineEvent.ATA and _get(call, "atd") is None:
        return
    now = {name: _get(call, name) for name in _CALL_COLUMNS}
    before = {**now, event.column: previous}
    deltas = _deltas(_call_obs(now), _call_obs(before))
    _apply(uow, {key: tally for key, tally in deltas.items() if not tally.empty})


def declarations_released(uow: UnitOfWork, rows: Iterable[Any]) -> None:
    """Declarations were released (ORM rows or plain dicts): each adds its clearance time."""
    _apply(uow, _deltas(obs for row in rows for obs in _declaration_obs(row)))


def crossings_recorded(uow: UnitOfWork, rows: Iterable[Any]) -> None:
    """Crossings were recorded (ORM rows or plain dicts): each passed one with its queue time
    adds it."""
    _apply(uow, _deltas(obs for row in rows for obs in _crossing_obs(row)))


def moves_recorded(uow: UnitOfWork, rows: Iterable[Any]) -> None:
    """Containers were discharged or loaded (plain dicts or rows): each adds its TEU and tonnes."""
    _apply(uow, _deltas(obs for row in rows for obs in _move_obs(row)))


def journey_counted(uow: UnitOfWork, kind: str, journey_id: int, port: str, day: date) -> None:
    """A flight's or cruise call's passenger figures were recounted: recount its days."""
    indicators = FLIGHT_INDICATORS if kind == "flight" else CRUISE_INDICATORS
    days = set(
        uow.session.scalars(
            select(PassengerFigure.day)
            .distinct()
            .where(PassengerFigure.journey == kind, PassengerFigure.journey_id == journey_id)
        )
    )
    for each in sorted(days | {day}):
        for code in indicators:
            recount(uow, each, port, code)


# --- recount and rebuild -------------------------------------------------------------------------


def _tallies(observations: Iterable[Obs]) -> dict[Key, Tally]:
    tallies: dict[Key, Tally] = defaultdict(Tally)
    for obs in observations:
        tallies[obs.key].observe(obs)
    return tallies


def _computed(uow: UnitOfWork, day: date, port: str, indicator: str) -> dict[Key, Tally]:
    """The rollups of one day, port and indicator, from the records."""
    start, end = _day_range(day)
    session = uow.session
    if indicator in CALL_INDICATORS:
        calls = session.execute(
            select(*(getattr(PortCall, c) for c in _CALL_COLUMNS)).where(
                PortCall.port == port,
                or_(
                    and_(PortCall.ata >= start, PortCall.ata < end),
                    and_(PortCall.atd >= start, PortCall.atd < end),
                ),
            )
        ).mappings()
        found = _tallies(obs for call in calls for obs in _call_obs(call))
    elif indicator == "declaration_clearance_minutes":
        rows = session.execute(
            select(
                DeclarationRow.released_at,
                DeclarationRow.filed_at,
                DeclarationRow.release_port,
                DeclarationRow.lane,
                DeclarationRow.declaration_office,
            ).where(
                DeclarationRow.release_port == port,
                DeclarationRow.released_at >= start,
                DeclarationRow.released_at < end,
            )
        ).mappings()
        found = _tallies(obs for row in rows for obs in _declaration_obs(row))
    elif indicator == "passenger_clearance_minutes":
        rows = session.execute(
            select(
                Crossing.queued_at,
                Crossing.crossed_at,
                Crossing.outcome,
                Crossing.port,
                Crossing.counter,
            ).where(Crossing.port == port, Crossing.crossed_at >= start, Crossing.crossed_at < end)
        ).mappings()
        found = _tallies(obs for row in rows for obs in _crossing_obs(row))
    elif indicator in MOVE_INDICATORS:
        rows = session.execute(
            select(*_MOVE_COLUMNS).where(
                TerminalMove.port == port, TerminalMove.at >= start, TerminalMove.at < end
            )
        ).mappings()
        found = _tallies(obs for row in rows for obs in _move_obs(row))
    elif indicator in FLIGHT_INDICATORS or indicator in CRUISE_INDICATORS:
        journey = "flight" if indicator in FLIGHT_INDICATORS else "cruise"
        of_day = (
            PassengerFigure.day == day,
            PassengerFigure.port == port,
            PassengerFigure.journey == journey,
        )
        first_days = {}
        if indicator == "cruise_calls":
            ids = select(PassengerFigure.journey_id).where(*of_day)
            first_days = _first_days(uow, PassengerFigure.journey_id.in_(ids))
        found = _passenger_tallies(_figure_rows(uow, *of_day), first_days)
    else:
        raise ValueError(f"{indicator!r} is not computed from Kouan's records")
    return {
        key: tally
        for key, tally in found.items()
        if key[:3] == (day, port, indicator) and not tally.empty
    }


def recount(uow: UnitOfWork, day: date, port: str, indicator: str) -> None:
    """Recompute one day's rollup rows of one indicator at one port from the records."""
    _lock(uow, day, port, indicator)
    session = uow.session
    session.execute(
        delete(StatRollup).where(
            StatRollup.day == day, StatRollup.port == port, StatRollup.indicator == indicator
        )
    )
    rows = [_row(key, tally) for key, tally in sorted(_computed(uow, day, port, indicator).items())]
    if rows:
        session.execute(insert(StatRollup), rows)


Progress = Callable[[str, int], None]
_CHUNK = 2000
# Records read at a time by `all_tallies`.
_YIELD_PER = 20_000


def all_tallies(uow: UnitOfWork, progress: Progress | None = None) -> dict[Key, Tally]:
    """Every rollup, from every record Kouan holds: what recounting each day that has records
    gives (the same observations, read in one pass per kind of record)."""
    note = progress or (lambda _what, _n: None)
    session = uow.session
    tallies: dict[Key, Tally] = defaultdict(Tally)

    def observe(what: str, rows: Iterable[Any], obs_of: Callable[[Any], list[Obs]]) -> None:
        seen = 0
        for row in rows:
            for obs in obs_of(row):
                tallies[obs.key].observe(obs)
            seen += 1
            if seen % _CHUNK == 0:
                note(what, _CHUNK)
        note(what, seen % _CHUNK)

    def streamed(query: Any) -> Iterable[Any]:
        # Read in batches, never every record at once (ten million declarations and more).
        return session.execute(query.execution_options(yield_per=_YIELD_PER)).mappings()

    calls = select(*(getattr(PortCall, c) for c in _CALL_COLUMNS)).where(PortCall.ata.is_not(None))
    observe("port calls", streamed(calls), _call_obs)
    released = select(
        DeclarationRow.released_at,
        DeclarationRow.filed_at,
        DeclarationRow.release_port,
        DeclarationRow.lane,
        DeclarationRow.declaration_office,
    ).where(DeclarationRow.released_at.is_not(None))
    observe("declarations", streamed(released), _declaration_obs)
    crossed = select(
        Crossing.queued_at, Crossing.crossed_at, Crossing.outcome, Crossing.port, Crossing.counter
    ).where(Crossing.outcome == "passed", Crossing.queued_at.is_not(None))
    observe("crossings", streamed(crossed), _crossing_obs)
    observe("terminal moves", streamed(select(*_MOVE_COLUMNS)), _move_obs)
    figures = _figure_rows(uow)
    for key, tally in _passenger_tallies(figures, _first_days(uow)).items():
        tallies[key].merge(tally)
    note("passenger figures", len(figures))
    return {key: tally for key, tally in tallies.items() if not tally.empty}


def stored_tallies(uow: UnitOfWork) -> dict[Key, Tally]:
    """Every rollup as kept in `stat_rollups`."""
    rows = uow.session.execute(select(StatRollup)).scalars()
    return {
        (r.day, r.port, r.indicator, r.lane, r.office, r.agency): Tally(
            r.count, round(r.total), list(r.histogram)
        )
        for r in rows
    }


def rebuild(ctx: ServiceContext, progress: Progress | None = None) -> dict[str, int]:
    """Replace every rollup with what the records give, in one transaction; the counts of rows
    written per indicator. `progress(what, n)` is told as records are read."""
    with ctx.uow(SYSTEM) as uow:
        tallies = all_tallies(uow, progress)
        uow.session.execute(delete(StatRollup))
        rows = [_row(key, tally) for key, tally in sorted(tallies.items())]
        for start in range(0, len(rows), _CHUNK):
            uow.session.execute(insert(StatRollup), rows[start : start + _CHUNK])
        written: dict[str, int] = defaultdict(int)
        for key in tallies:
            written[key[2]] += 1
        uow.audit("stats.rebuilt", "stat_rollups", "all", None, {"rows": len(rows), **written})
        uow.commit()
    return dict(written)
