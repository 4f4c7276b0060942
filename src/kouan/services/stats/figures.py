"""Port statistics by month: what Kouan computes from its records (the rollups, see
kouan.services.stats.rollups) beside what the port's statistical returns say (imported), and the
one shown. The API the dashboard and the bulletin read.

A month's shown figure is the computed one where Kouan holds records for that month and
indicator at the port, else the imported one. Durations are given in minutes, rates in percent.
A year to date adds the months of a "sum" indicator; for a "mean" one it weighs each month by
its observations (ship calls, declarations, crossings) when every month shown was computed, and
otherwise (an imported month has no count) takes the months' plain mean, as
kouan.domain.stats.indicators.combine does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from kouan.adapters.db.stats_tables import StatImported, StatRollup
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.domain.stats.indicators import INDICATORS, combine, indicator
from kouan.domain.stats.periods import Month, months
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.stats.rollups import BUCKETS, COMPUTED, TIMED, quantile

Source = Literal["computed", "imported"]
# The most months one series answers (twenty years).
MAX_MONTHS = 240


@dataclass(frozen=True)
class Figure:
    """One month of one indicator at one port. `count` is the number of observations behind
    the computed figure (calls, declarations, crossings, persons), None when none was computed."""

    month: Month
    value: float | None
    source: Source | None
    computed: float | None
    imported: float | None
    count: int | None = None


def value_of(code: str, count: int, total: float) -> float | None:
    """An indicator's figure from its rollups' count and total (see rollups)."""
    if code == "zero_wait_rate":
        return 100 * total / count if count else None
    if code == "wait_minutes_lost":
        return total / 60
    if code in TIMED:  # a mean duration, kept in seconds
        return total / count / 60 if count else None
    return float(total)


def _month_of_day(uow: UnitOfWork) -> ColumnElement[str]:
    """A rollup's month as "YYYY-MM", computed by the database."""
    if uow.connection().dialect.name == "postgresql":
        return func.to_char(StatRollup.day, "YYYY-MM")
    return func.strftime("%Y-%m", StatRollup.day)


def _computed(
    uow: UnitOfWork, port: str, code: str, first: date, last: date
) -> dict[Month, tuple[int, float]]:
    if code not in COMPUTED:
        return {}
    month = _month_of_day(uow)
    rows = uow.session.execute(
        select(month, func.sum(StatRollup.count), func.sum(StatRollup.total))
        .where(
            StatRollup.indicator == code,
            StatRollup.port == port,
            StatRollup.day >= first,
            StatRollup.day <= last,
        )
        .group_by(month)
    ).all()
    # Totals are whole numbers, so the month's sum is the same in any order.
    return {Month.parse(m): (int(c), float(t)) for m, c, t in rows if c}


def _imported(
    uow: UnitOfWork, port: str, code: str, first: Month, last: Month
) -> dict[Month, float]:
    rows = uow.session.execute(
        select(StatImported.period, StatImported.value).where(
            StatImported.indicator == code,
            StatImported.port == port,
            StatImported.period >= str(first),
            StatImported.period <= str(last),
        )
    ).all()
    return {Month.parse(period): float(value) for period, value in rows}


def _figures(
    code: str,
    first: Month,
    last: Month,
    computed: dict[Month, tuple[int, float]],
    imported: dict[Month, float],
) -> list[Figure]:
    """Every month's figure: the computed one where there are records, else the imported one."""
    figures = []
    for month in months(first, last):
        count, total = computed.get(month, (0, 0.0))
        mine = value_of(code, count, total) if count else None
        theirs = imported.get(month)
        if count:
            figures.append(Figure(month, mine, "computed", mine, theirs, count))
        elif theirs is not None:
            figures.append(Figure(month, theirs, "imported", None, theirs))
        else:
            figures.append(Figure(month, None, None, None, None))
    return figures


def monthly(uow: UnitOfWork, port: str, code: str, first: Month, last: Month) -> list[Figure]:
    """Every month from `first` to `last` of indicator `code` at `port`, computed and imported."""
    computed = _computed(uow, port, code, first.first_day(), last.last_day())
    imported = _imported(uow, port, code, first, last)
    return _figures(code, first, last, computed, imported)


def monthly_by_port(
    uow: UnitOfWork, code: str, first: Month, last: Month
) -> dict[str, list[Figure]]:
    """`monthly` of every port of `ports_of`, read in two grouped queries (one of the rollups,
    one of the returns) instead of two per port."""
    month = _month_of_day(uow)
    rolled = uow.session.execute(
        select(StatRollup.port, month, func.sum(StatRollup.count), func.sum(StatRollup.total))
        .where(
            StatRollup.indicator == code,
            StatRollup.day >= first.first_day(),
            StatRollup.day <= last.last_day(),
        )
        .group_by(StatRollup.port, month)
    ).all()
    returned = uow.session.execute(
        select(StatImported.port, StatImported.period, StatImported.value).where(
            StatImported.indicator == code,
            StatImported.period >= str(first),
            StatImported.period <= str(last),
        )
    ).all()
    computed: dict[str, dict[Month, tuple[int, float]]] = {}
    imported: dict[str, dict[Month, float]] = {}
    for port, m, count, total in rolled:
        of_port = computed.setdefault(port, {})  # a port with rollups is a port with a figure
        if count and code in COMPUTED:
            of_port[Month.parse(m)] = (int(count), float(total))
    for port, period, value in returned:
        imported.setdefault(port, {})[Month.parse(period)] = float(value)
    return {
        port: _figures(code, first, last, computed.get(port, {}), imported.get(port, {}))
        for port in sorted(computed.keys() | imported.keys())
    }


def combined(code: str, figures: list[Figure]) -> float | None:
    """Several months' figure: the sum, or the mean weighted as the module says."""
    item = indicator(code)
    shown = [f for f in figures if f.value is not None]
    if not shown:
        return None
    if item.aggregate == "mean" and all(f.count for f in shown):
        weight = sum(f.count or 0 for f in shown)
        return sum((f.value or 0.0) * (f.count or 0) for f in shown) / weight
    return combine(item, (f.value for f in shown if f.value is not None))


def year_to_date(uow: UnitOfWork, port: str, code: str, month: Month) -> float | None:
    """January to `month` of its year: the sum, or the count-weighted mean."""
    return combined(code, monthly(uow, port, code, Month(month.year, 1), month))


def ports_of(uow: UnitOfWork, code: str, first: Month, last: Month) -> list[str]:
    """The ports with a figure, imported or computed, of `code` in those months."""
    imported = (
        select(StatImported.port)
        .distinct()
        .where(
            StatImported.indicator == code,
            StatImported.period >= str(first),
            StatImported.period <= str(last),
        )
    )
    computed = (
        select(StatRollup.port)
        .distinct()
        .where(
            StatRollup.indicator == code,
            StatRollup.day >= first.first_day(),
            StatRollup.day <= last.last_day(),
        )
    )
    found = set(uow.session.scalars(imported)) | set(uow.session.scalars(computed))
    return sorted(found)


def by_port(uow: UnitOfWork, code: str, month: Month, ytd: bool = True) -> dict[str, float]:
    """Every port's figure of `month` (its year to date with `ytd`), for the national rank:
    Kouan's own port computed where it can be, every other port as imported."""
    first = Month(month.year, 1) if ytd else month
    answer = {}
    for port, series in monthly_by_port(uow, code, first, month).items():
        value = combined(code, series)
        if value is not None:
            answer[port] = value
    return answer


def percentiles(
    uow: UnitOfWork,
    port: str,
    code: str,
    first_day: date,
    last_day: date,
    qs: Sequence[float] = (50, 90),
    lane: str | None = None,
    office: str | None = None,
    agency: str | None = None,
) -> dict[float, float | None]:
    """The `qs`-th percentiles (each 0 to 100) of a duration indicator over those days, in
    minutes, from the rollups' histograms (within about 2.5 % of the exact ones), read and added
    once; None without any. `lane`, `office` and `agency` keep only those rollups (None: all)."""
    if code not in TIMED:
        raise ValidationFailed.one(
            "indicator", code, "an indicator of durations: " + ", ".join(sorted(TIMED))
        )
    for q in qs:
        if not 0 <= q <= 100:
            raise ValidationFailed.one("q", q, "a percentile from 0 to 100")
    query = select(StatRollup.histogram).where(
        StatRollup.indicator == code,
        StatRollup.port == port,
        StatRollup.day >= first_day,
        StatRollup.day <= last_day,
    )
    for column, wanted in (
        (StatRollup.lane, lane),
        (StatRollup.office, office),
        (StatRollup.agency, agency),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    histogram = _added(uow.session.scalars(query))
    found: dict[float, float | None] = {}
    for q in qs:
        seconds = quantile(histogram, q)
        found[q] = None if seconds is None else seconds / 60
    return found


def _added(histograms: Iterable[list[int]]) -> list[int]:
    """The sum of histograms bucket by bucket (added in C), at least BUCKETS long."""
    total = [sum(counts) for counts in itertools.zip_longest(*histograms, fillvalue=0)]
    if len(total) < BUCKETS:
        total.extend([0] * (BUCKETS - len(total)))
    return total


def percentile(
    uow: UnitOfWork,
    port: str,
    code: str,
    first_day: date,
    last_day: date,
    q: float,
    lane: str | None = None,
    office: str | None = None,
    agency: str | None = None,
) -> float | None:
    """The `q`-th percentile (0 to 100) of a duration indicator over those days, in minutes
    (see `percentiles`); None without any."""
    found = percentiles(
        uow, port, code, first_day, last_day, (q,), lane=lane, office=office, agency=agency
    )
    return found[q]


# --- for the API ---------------------------------------------------------------------------------


def checked_query(code: str, port: str, first: str, last: str) -> tuple[str, str, Month, Month]:
    """The series' parameters, or ValidationFailed naming each bad one."""
    errors = FieldErrors()
    if code not in INDICATORS:
        errors.add("indicator", code, "one of " + ", ".join(INDICATORS))
    port = port.strip().upper()
    if not (3 <= len(port) <= 5 and port.isascii() and port.isalnum()):
        errors.add("port", port, "a UN/LOCODE (CNTAO) or an airport's IATA code (TAO)")
    parsed = {}
    for name, text in (("first", first), ("last", last)):
        try:
            parsed[name] = Month.parse(text)
        except ValueError:
            errors.add(name, text, "a month written YYYY-MM")
    if len(parsed) == 2:
        span = parsed["last"].index - parsed["first"].index
        if span < 0:
            errors.add("last", last, f"a month from {first} on")
        elif span >= MAX_MONTHS:
            errors.add("last", last, f"a month at most {MAX_MONTHS} months after first")
    errors.raise_if_any("figures query")
    return code, port, parsed["first"], parsed["last"]


def series(
    ctx: ServiceContext, actor: Actor, code: str, port: str, first: str, last: str
) -> dict[str, Any]:
    """`GET /api/v1/stats/figures`: the monthly figures of an indicator at a port."""
    require(actor, Action.STATS_READ)
    code, port, start, end = checked_query(code, port, first, last)
    with ctx.uow(actor, write=False) as uow:
        figures = monthly(uow, port, code, start, end)
    item = indicator(code)
    return {
        "indicator": code,
        "unit": item.unit,
        "aggregate": item.aggregate,
        "port": port,
        "first": str(start),
        "last": str(end),
        "figures": [
            {
                "month": str(f.month),
                "value": f.value,
                "source": f.source,
                "computed": f.computed,
                "imported": f.imported,
                "count": f.count,
            }
            for f in figures
        ],
    }
