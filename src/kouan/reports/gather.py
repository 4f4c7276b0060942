"""What the statistics dashboard and the bulletin read: for each indicator at the port, its
figure of a month, of its quarter to date and of the year to date, the changes year on year and
month on month, the national rank among the ports that reported, 24 months of figures and the
peer ports' figures of each period.

Read-only, in one unit of work, for those who may read the port's statistics (STATS_READ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from kouan.domain.errors import ValidationFailed
from kouan.domain.stats.growth import Change, Rank, change, rank
from kouan.domain.stats.indicators import INDICATORS, Indicator
from kouan.domain.stats.periods import Month
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.stats import figures
from kouan.site import airport, site_data

Area = Literal["seaport", "airport"]
AREAS: tuple[Area, ...] = ("seaport", "airport")
# Months of figures a card shows (its sparkline), the month asked for last.
SPAN = 24
# The clearance KPIs: how fast the port clears, never ranked (a shorter time is better, and the
# peer ports report none).
KPIS = ("zero_wait_rate", "declaration_clearance_minutes", "passenger_clearance_minutes")
# The lanes the rollups of each timed KPI keep (kouan.services.stats.rollups).
LANES = {
    "declaration_clearance_minutes": ("green", "document", "inspection"),
    "passenger_clearance_minutes": ("e-gate", "gangway", "counter"),
}


def ranked(item: Indicator) -> bool:
    """A rank says who does more: counts and quantities, and the zero-wait rate; never a time."""
    if item.unit == "minutes":
        return False
    return item.aggregate == "sum" or item.code == "zero_wait_rate"


@dataclass(frozen=True)
class Ports:
    """The codes the port's figures carry: its seaport's UN/LOCODE, its airport's IATA code
    (either None when the port has none), and its names."""

    seaport: str | None
    airport: str | None
    name_zh: str
    name_en: str
    home: bool  # the site's own port (its bulletin says 我市, "the city's")

    def code(self, item: Indicator, area: Area | None = None) -> str | None:
        """The code a figure of `item` carries here; a port-wide indicator is the seaport's
        unless `area` asks for the airport."""
        if item.place == "port":
            return self.airport if area == "airport" else self.seaport or self.airport
        return self.seaport if item.place == "seaport" else self.airport

    def area_of(self, item: Indicator, area: Area | None = None) -> Area:
        if item.place == "port":
            return "airport" if area == "airport" or self.seaport is None else "seaport"
        return item.place


def ports_for(code: str) -> Ports:
    """The site's port for its seaport's or airport's code; any other port by its code alone.
    ValidationFailed naming `port` for a code that is neither a UN/LOCODE nor an IATA code."""
    text = (code or "").strip().upper()
    data = site_data()
    site_airport = airport()
    if text in (data["port"], site_airport.iata):
        name_zh, name_en = str(data["port_name_zh"]), str(data["port_name"])
        return Ports(data["port"], site_airport.iata, name_zh, name_en, True)
    if len(text) == 5 and text.isascii() and text.isalnum():
        return Ports(text, None, text, text, False)
    if len(text) == 3 and text.isascii() and text.isalpha():
        return Ports(None, text, text, text, False)
    raise ValidationFailed.one("port", code, "a UN/LOCODE (CNTAO) or an airport's IATA code (TAO)")


@dataclass(frozen=True)
class Other:
    """The figure not shown where Kouan computed one and a return was imported: its source,
    value and how far it is from the shown one (other / shown - 1)."""

    source: str
    value: float
    difference: Change


@dataclass(frozen=True)
class Line:
    """One indicator at one port, for a month, its quarter to date and its year to date."""

    item: Indicator
    port: str
    area: Area
    month: Month
    series: list[figures.Figure]  # SPAN months, the month last
    ytd: float | None
    ytd_base: float | None  # the same months a year before
    peers: dict[str, float]  # every port's year to date (the rank's base)
    peers_month: dict[str, float]  # every port's figure of the month
    quarter: float | None = None  # the quarter's months up to `month`
    quarter_base: float | None = None  # the same months a year before
    peers_quarter: dict[str, float] = field(default_factory=dict)  # every port's quarter to date

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def figure(self) -> figures.Figure:
        return self.series[-1]

    @property
    def value(self) -> float | None:
        return self.figure.value

    def _at(self, month: Month) -> float | None:
        return next((f.value for f in self.series if f.month == month), None)

    @property
    def yoy(self) -> Change:
        return change(self.value, self._at(self.month.same_month_last_year()))

    @property
    def mom(self) -> Change:
        return change(self.value, self._at(self.month.previous()))

    @property
    def ytd_yoy(self) -> Change:
        return change(self.ytd, self.ytd_base)

    @property
    def quarter_yoy(self) -> Change:
        return change(self.quarter, self.quarter_base)

    def _rank(self, values: dict[str, float]) -> Rank | None:
        if not ranked(self.item) or len(values) < 2:
            return None
        return rank(values, self.port)

    @property
    def rank(self) -> Rank | None:
        """The year to date's national rank, where other ports have figures."""
        return self._rank(self.peers)

    @property
    def rank_month(self) -> Rank | None:
        return self._rank(self.peers_month)

    @property
    def rank_quarter(self) -> Rank | None:
        return self._rank(self.peers_quarter)

    @property
    def other(self) -> Other | None:
        shown = self.figure
        if shown.computed is None or shown.imported is None:
            return None
        value = shown.imported if shown.source == "computed" else shown.computed
        source = "imported" if shown.source == "computed" else "computed"
        return Other(source, value, change(value, shown.value))

    @property
    def has_data(self) -> bool:
        return any(f.value is not None for f in self.series)


@dataclass(frozen=True)
class Peers:
    """Every port's figure of an indicator (the rank's base) for a month, its quarter to date
    and its year to date."""

    month: dict[str, float]
    quarter: dict[str, float]
    ytd: dict[str, float]


def peers_of(uow: UnitOfWork, code: str, month: Month) -> Peers:
    """Each port's figures of `month`, its quarter to date and its year to date, reading every
    port's months at once: the same figures as figures.by_port for the month and the year."""
    first = Month(month.year, 1)
    starts = (month, month.quarter_months()[0], first)
    found = Peers({}, {}, {})
    for port, series in figures.monthly_by_port(uow, code, first, month).items():
        for into, start in zip((found.month, found.quarter, found.ytd), starts, strict=True):
            value = figures.combined(code, [f for f in series if f.month >= start])
            if value is not None:
                into[port] = value
    return found


def _line(uow: UnitOfWork, item: Indicator, port: str, area: Area, month: Month) -> Line:
    series = figures.monthly(uow, port, item.code, month.shift(1 - SPAN), month)
    base = month.same_month_last_year()
    ytd = [f for f in series if f.month.year == month.year and f.month <= month]
    ytd_base = [f for f in series if f.month.year == base.year and f.month <= base]
    quarter = set(month.quarter_months())
    quarter_base = set(base.quarter_months())
    peers = peers_of(uow, item.code, month) if ranked(item) else Peers({}, {}, {})
    return Line(
        item=item,
        port=port,
        area=area,
        month=month,
        series=series,
        ytd=figures.combined(item.code, ytd),
        ytd_base=figures.combined(item.code, ytd_base),
        peers=peers.ytd,
        peers_month=peers.month,
        quarter=figures.combined(item.code, [f for f in ytd if f.month in quarter]),
        quarter_base=figures.combined(item.code, [f for f in ytd_base if f.month in quarter_base]),
        peers_quarter=peers.quarter,
    )


def lines(
    ctx: ServiceContext,
    actor: Actor,
    ports: Ports,
    month: Month,
    areas: tuple[Area, ...] = AREAS,
    codes: tuple[str, ...] | None = None,
) -> list[Line]:
    """Every indicator (or those of `codes`) of `areas` at the port, in the order of INDICATORS;
    port-wide ones once per area."""
    require(actor, Action.STATS_READ)
    wanted = [INDICATORS[c] for c in (codes or tuple(INDICATORS))]
    found: list[Line] = []
    with ctx.uow(actor, write=False) as uow:
        for area in areas:
            for item in wanted:
                if item.place not in (area, "port"):
                    continue
                port = ports.code(item, area)
                if port is None:
                    continue
                found.append(_line(uow, item, port, ports.area_of(item, area), month))
    return found


def percentiles(
    ctx: ServiceContext,
    actor: Actor,
    port: str,
    code: str,
    first: date,
    last: date,
    lane: str | None = None,
) -> dict[str, float | None]:
    """The median and 90th percentile of a timed KPI over those days (minutes), of one lane."""
    require(actor, Action.STATS_READ)
    with ctx.uow(actor, write=False) as uow:
        found = figures.percentiles(uow, port, code, first, last, (50, 90), lane=lane)
    return {f"p{q}": value for q, value in found.items()}


def latest_month(ctx: ServiceContext, actor: Actor, today: date) -> Month:
    """The month a report shows unless asked: the last whole month before `today`."""
    require(actor, Action.STATS_READ)
    return Month.of(today).previous()
