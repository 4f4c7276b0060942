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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select

from kouan.adapters.db.stats_tables import StatImported, StatRollup
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.domain.stats.indicators import INDICATORS, combine, indicator
from kouan.domain.stats.periods import Month, months
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.stats.rollups import BUCKETS, COMPUTED, TIMED, Tally, quantile

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


def _computed(
    uow: UnitOfWork, port: str, code: str, first: date, last: date
) -> dict[Month, tuple[int, float]]:
    if code not in COMPUTED:
        return {}
    rows = uow.session.execute(
        select(StatRollup.day, func.sum(StatRollup.count), func.sum(StatRollup.total))
        .where(
            StatRollup.indicator == code,
            StatRollup.port == port,
            StatRollup.day >= first,
            StatRollup.day <= last,
        )
        .group_by(StatRollup.day)
    ).all()
    by_month: dict[Month, list[float]] = defaultdict(lambda: [0, 0.0])
    for day, count, total in rows:
        entry = by_month[Month.of(day)]
        entry[0] += int(count)
        entry[1] += float(total)
    return {m: (int(c), t) for m, (c, t) in by_month.items() if c}


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


def monthly(uow: UnitOfWork, port: str, code: str, first: Month, last: Month) -> list[Figure]:
    """Every month from `first` to `last` of indicator `code` at `port`, computed and imported."""
    computed = _computed(uow, port, code, first.first_day(), last.last_day())
    imported = _imported(uow, port, code, first, last)
    figures = []
    for month in months(first, last):
        count, total = computed.get(month, (None, None))
        mine = value_of(code, count, total) if count else None
        theirs = imported.get(month)
        if count:
            figures.append(Figure(month, mine, "computed", mine, theirs, count))
        elif theirs is not None:
            figures.append(Figure(month, theirs, "imported", None, theirs))
        else:
            figures.append(Figure(month, None, None, None, None))
    return figures


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
    for port in ports_of(uow, code, first, month):
        value = combined(code, monthly(uow, port, code, first, month))
        if value is not None:
            answer[port] = value
    return answer


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
    """The `q`-th percentile (0 to 100) of a duration indicator over those days, in minutes,
    from the rollups' histograms (within about 2.5 % of the exact one); None without any.
    `lane`, `office` and `agency` keep only those rollups (None: all)."""
    if code not in TIMED:
        raise ValidationFailed.one(
            "indicator", code, "an indicator of durations: " + ", ".join(sorted(TIMED))
        )
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
    tally = Tally(histogram=[0] * BUCKETS)
    for histogram in uow.session.scalars(query):
        tally.merge(Tally(histogram=list(histogram)))
    seconds = quantile(tally.histogram, q)
    return None if seconds is None else seconds / 60


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
