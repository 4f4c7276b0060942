"""The indicators of port statistics: what each counts or measures, in which unit, at which kind
of port (seaport, airport or both), and how months add up to a quarter or a year to date.

A figure is kept in its indicator's canonical unit (`Indicator.unit`). A CSV may write the unit
another way (`UNITS`: "tonnes" for "t", "passengers" for "persons", "min" for "minutes"...), but
only in the same magnitude: "万吨" or "kt" would need the value scaled and are refused, so that a
figure is never silently off by ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Aggregate = Literal["sum", "mean"]
Place = Literal["seaport", "airport", "port"]


@dataclass(frozen=True)
class Indicator:
    """One indicator. `aggregate` says how months combine: "sum" for counts and quantities,
    "mean" for durations and rates, which are never added. `place` says whose code a figure
    carries: a seaport's UN/LOCODE, an airport's IATA code, or either ("port")."""

    code: str
    unit: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str
    aggregate: Aggregate
    place: Place


def _indicators(*items: Indicator) -> dict[str, Indicator]:
    return {item.code: item for item in items}


INDICATORS: dict[str, Indicator] = _indicators(
    Indicator(
        "foreign_trade_cargo",
        "t",
        "Foreign-trade cargo throughput",
        "外贸货物吞吐量",
        "Cargo loaded and discharged at the seaport for import and export, in tonnes; "
        "domestic coastal cargo is not counted.",
        "经海港口岸装卸的进出口外贸货物重量，以吨计，不含内贸货物。",
        "sum",
        "seaport",
    ),
    Indicator(
        "container_throughput",
        "TEU",
        "Container throughput",
        "集装箱吞吐量",
        "Containers loaded and discharged at the seaport, full and empty, in twenty-foot "
        "equivalent units (TEU).",
        "经海港口岸装卸的集装箱数量（含重箱和空箱），以标准箱（TEU）计。",
        "sum",
        "seaport",
    ),
    Indicator(
        "sea_rail_containers",
        "TEU",
        "Sea-rail intermodal containers",
        "海铁联运箱量",
        "Containers carried between the seaport and inland places by rail under one sea-rail "
        "transport arrangement, in TEU.",
        "经海港口岸以铁路与海运衔接方式集疏运的集装箱数量，以标准箱计。",
        "sum",
        "seaport",
    ),
    Indicator(
        "ship_calls",
        "calls",
        "International ship calls",
        "国际航行船舶艘次",
        "Calls of ships on international voyages cleared in and out at the seaport; a call "
        "counts once, in the month the ship departs.",
        "在海港口岸办理进出境手续的国际航行船舶靠港次数，每次靠港计一艘次，计入离港当月。",
        "sum",
        "seaport",
    ),
    Indicator(
        "cruise_calls",
        "calls",
        "Cruise ship calls",
        "邮轮靠泊艘次",
        "Calls of international cruise ships at the seaport, as home port or port of call.",
        "国际邮轮在海港口岸靠泊的次数，含母港航次和访问港航次。",
        "sum",
        "seaport",
    ),
    Indicator(
        "cruise_passengers",
        "persons",
        "Cruise passengers",
        "邮轮出入境旅客",
        "Passengers of international cruise ships entering and leaving the country at the "
        "seaport, counted at each crossing.",
        "经海港口岸出入境的国际邮轮旅客人次，每出境或入境一次计一人次。",
        "sum",
        "seaport",
    ),
    Indicator(
        "air_passengers",
        "persons",
        "International air passengers",
        "航空口岸出入境旅客",
        "Passengers entering and leaving the country through the airport on international and "
        "regional flights, counted at each crossing.",
        "经航空口岸乘坐国际及地区航班出入境的旅客人次，每出境或入境一次计一人次。",
        "sum",
        "airport",
    ),
    Indicator(
        "air_passengers_foreign",
        "persons",
        "Foreign air passengers",
        "航空口岸出入境外国旅客",
        "Of the air passengers entering and leaving through the airport, those travelling on a "
        "foreign passport.",
        "航空口岸出入境旅客中持外国护照的旅客人次。",
        "sum",
        "airport",
    ),
    Indicator(
        "flights",
        "flights",
        "International flights",
        "国际及地区航班架次",
        "International and regional flights arriving at and departing from the airport; "
        "each landing and each take-off counts once.",
        "在航空口岸起降的国际及地区航班数量，进港、出港各计一架次。",
        "sum",
        "airport",
    ),
    Indicator(
        "zero_wait_rate",
        "%",
        "Zero-wait rate",
        "船舶“零待时”率",
        "Share of ship calls that berthed or sailed without waiting for a permit, in percent "
        "of the month's ship calls.",
        "船舶进出港未因口岸查验手续等待的艘次占当月船舶进出港艘次的百分比。",
        "mean",
        "seaport",
    ),
    Indicator(
        "wait_minutes_lost",
        "minutes",
        "Minutes lost waiting for permits",
        "船舶待时总时长",
        "Minutes ships waited for an entry or departure permit after they were ready to move, "
        "added over the month's ship calls.",
        "船舶具备进出港条件后因等待口岸进出港许可而停留的时长，按当月船舶进出港艘次累加，以分钟计。",
        # A total over calls, so months add up; the mean per call is this over ship_calls.
        "sum",
        "seaport",
    ),
    Indicator(
        "declaration_clearance_minutes",
        "minutes",
        "Declaration clearance time",
        "报关单通关时间",
        "Mean time from a customs declaration being filed to the goods' release, in minutes.",
        "自企业申报报关单至海关放行货物的平均时长，以分钟计。",
        "mean",
        "port",
    ),
    Indicator(
        "passenger_clearance_minutes",
        "minutes",
        "Passenger clearance time",
        "旅客通关时间",
        "Mean time a passenger takes from joining the border control queue to passing it, "
        "in minutes.",
        "旅客自进入边检查验排队区至通过查验的平均时长，以分钟计。",
        "mean",
        "port",
    ),
)

# Other ways a CSV writes each canonical unit, compared case-insensitively. Only names of the
# same unit: no multiples (万吨, kt, thousand TEU) and no short tons ("tons" is ambiguous).
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "t": ("tonne", "tonnes", "metric ton", "metric tons", "吨"),
    "TEU": ("TEUs", "标箱", "标准箱"),
    "calls": ("call", "艘次"),
    "persons": ("person", "passengers", "passenger", "pax", "人次"),
    "flights": ("flight", "架次"),
    "%": ("percent", "pct"),
    "minutes": ("minute", "min", "mins", "分钟"),
}

# For each indicator, the unit strings a CSV may write (lower case; the canonical unit first).
UNITS: dict[str, tuple[str, ...]] = {
    code: (item.unit.lower(), *(alias.lower() for alias in UNIT_ALIASES[item.unit]))
    for code, item in INDICATORS.items()
}


def indicator(code: str) -> Indicator:
    """The indicator of `code`; ValueError naming the known codes for any other."""
    try:
        return INDICATORS[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(INDICATORS))
        raise ValueError(f"unknown indicator {code!r}; known: {known}") from None


def canonical_unit(code: str, unit: str) -> str:
    """The canonical unit of indicator `code` if `unit` is one of the ways to write it (any case,
    surrounding spaces ignored); ValueError naming the accepted ones otherwise."""
    item = indicator(code)
    if isinstance(unit, str) and unit.strip().lower() in UNITS[code]:
        return item.unit
    accepted = ", ".join(UNITS[code])
    raise ValueError(f"unit {unit!r} does not fit {code} (in {item.unit}); accepted: {accepted}")


def combine(item: Indicator, values: Iterable[float]) -> float | None:
    """The figure of several months (a quarter, a year to date) from the monthly ones: their sum,
    or for a "mean" indicator their plain mean (a month counts as much as any other; a mean
    weighted by ship calls or declarations needs those counts). None when there is none."""
    figures = list(values)
    if not figures:
        return None
    total = sum(figures)
    return total if item.aggregate == "sum" else total / len(figures)
