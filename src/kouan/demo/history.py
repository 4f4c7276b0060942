"""The demo's port statistics history: two years of monthly figures for Qingdao (seaport CNTAO,
airport TAO) and the peer ports it is ranked against, in the columns of the statistics CSV
(`period,port,indicator,value,unit`), so that the pages have a year-on-year base, a year to date
and a national rank from the first start.

Pure and deterministic: levels, growth, seasonality, noise and seed are in
data/port_history.toml (invented figures at realistic magnitudes); a month's figure depends only
on that file, the port, the indicator and the month, never on which last month was asked for.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from random import Random
from typing import Any, TypedDict

from kouan.domain.stats.indicators import indicator
from kouan.domain.stats.periods import Month, months

COLUMNS = ("period", "port", "indicator", "value", "unit")
MONTHS = 24
INDICATORS = (
    "foreign_trade_cargo",
    "container_throughput",
    "sea_rail_containers",
    "ship_calls",
    "cruise_calls",
    "air_passengers",
)


class HistoryRow(TypedDict):
    """One figure, as a row of the statistics CSV: the value in the indicator's unit."""

    period: str
    port: str
    indicator: str
    value: int
    unit: str


@dataclass(frozen=True)
class HistoryPort:
    """A port of the history: its seaport's UN/LOCODE, its airport's IATA code, its names, the
    mean monthly level of each indicator it reports and its own growth where it differs."""

    locode: str
    airport: str
    name_en: str
    name_zh: str
    levels: dict[str, float]
    growth: dict[str, float]

    def code_for(self, code: str) -> str:
        """Whose code a figure of indicator `code` carries: the airport's or the seaport's."""
        return self.airport if indicator(code).place == "airport" else self.locode


@dataclass(frozen=True)
class _Parameters:
    seed: str
    anchor: Month
    noise: dict[str, float]
    growth: dict[str, float]
    season: dict[str, tuple[float, ...]]  # by indicator, January first, averaging 1
    ports: tuple[HistoryPort, ...]


@cache
def _parameters() -> _Parameters:
    text = resources.files("kouan.demo").joinpath("data", "port_history.toml").read_text("utf-8")
    data = tomllib.loads(text)
    shapes = {name: _averaging_one(factors) for name, factors in data["season"].items()}
    return _Parameters(
        seed=data["seed"],
        anchor=Month.parse(data["anchor"]),
        noise=data["noise"],
        growth=data["growth"],
        season={code: shapes[shape] for code, shape in data["pattern"].items()},
        ports=tuple(_port(locode, entry) for locode, entry in data["ports"].items()),
    )


def _averaging_one(factors: list[float]) -> tuple[float, ...]:
    if len(factors) != 12:
        raise ValueError(f"a season has twelve factors, not {len(factors)}")
    mean = sum(factors) / 12
    return tuple(factor / mean for factor in factors)


def _port(locode: str, entry: dict[str, Any]) -> HistoryPort:
    levels = {code: float(entry[code]) for code in INDICATORS if code in entry}
    unknown = set(entry) - set(levels) - {"name_en", "name_zh", "airport", "growth"}
    if unknown:
        raise ValueError(f"port_history.toml: {locode} has unknown keys {sorted(unknown)}")
    return HistoryPort(
        locode,
        entry["airport"],
        entry["name_en"],
        entry["name_zh"],
        levels,
        entry.get("growth", {}),
    )


def ports() -> tuple[HistoryPort, ...]:
    """The ports of the history, Qingdao first."""
    return _parameters().ports


def figure(port: HistoryPort, code: str, month: Month) -> int | None:
    """`port`'s figure of indicator `code` in `month`, in whole units; None if it reports none."""
    level = port.levels.get(code)
    if level is None:
        return None
    p = _parameters()
    growth = port.growth.get(code, p.growth[code])
    years = (month.index - p.anchor.index) / 12
    # Seeded by name, not by position in a loop, so that a figure never moves with `last`.
    noise = Random(f"{p.seed}:{port.locode}:{code}:{month}").uniform(-1, 1) * p.noise[code]
    value = level * p.season[code][month.month - 1] * (1 + growth) ** years * (1 + noise)
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def history_rows(last: Month, count: int = MONTHS) -> list[HistoryRow]:
    """`count` months of figures ending with `last`, by month, then port, then indicator."""
    if count < 1:
        raise ValueError(f"count must be 1 or more, not {count}")
    rows: list[HistoryRow] = []
    for month in months(last.shift(1 - count), last):
        for port in ports():
            for code in INDICATORS:
                value = figure(port, code, month)
                if value is not None:
                    rows.append(_row(month, port.code_for(code), code, value))
    return rows


def _row(month: Month, port: str, code: str, value: int) -> HistoryRow:
    return HistoryRow(
        period=str(month), port=port, indicator=code, value=value, unit=indicator(code).unit
    )


def history_csv(rows: Iterable[HistoryRow]) -> str:
    """The rows as the statistics CSV: a header line, then one line a row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
