"""Duties and taxes on imports, and ships' tonnage dues: pure functions over a tariff table.

Customs duty (关税) is ad valorem by HS code: the line of the longest HS prefix that has a rate
applies. Its rate depends on the origin: a preferential rate (协定税率) where the origin is a party
to an agreement the line has a rate for (the lowest of them), the general rate (普通税率) for
origins without most-favoured-nation treatment, the MFN rate (最惠国税率) otherwise. Consumption
tax (消费税, ad valorem) applies to the lines that name a rate, and import VAT (增值税) to all, in
the compound order of Chinese customs:

    duty              = customs value x duty rate
    consumption tax   = (customs value + duty) / (1 - consumption rate) x consumption rate
    VAT               = (customs value + duty + consumption tax) x VAT rate

Every amount is rounded to the fen (0.01 CNY) half up, as customs' tax payment notices are, and
each base is built from the rounded amounts before it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kouan.domain.errors import FieldError, ValidationFailed

FEN = Decimal("0.01")

# The agreements Kouan lists and the origins that are party to them (ISO 3166 alpha-2).
AGREEMENTS: dict[str, frozenset[str]] = {
    # Regional Comprehensive Economic Partnership (区域全面经济伙伴关系协定), in force 2022.
    "RCEP": frozenset(
        {"AU", "BN", "KH", "ID", "JP", "KR", "LA", "MY", "MM", "NZ", "PH", "SG", "TH", "VN"}
    ),
    # China-ASEAN Free Trade Area (中国—东盟自由贸易区).
    "ACFTA": frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}),
    # China-Korea FTA (中韩自由贸易协定).
    "CKFTA": frozenset({"KR"}),
    # China-Australia FTA (中澳自由贸易协定).
    "CHAFTA": frozenset({"AU"}),
}
# Origins without most-favoured-nation treatment: the general rate applies. An illustrative
# short list (states outside the WTO with no trade agreement in Kouan's table), to be replaced
# by customs' own.
NO_MFN: frozenset[str] = frozenset({"ER", "SO", "SS"})

# The line of goods no other line names (its prefix in the CSV).
ANY_GOODS = "*"
RATE_COLUMNS = ("mfn", "general", *(a.lower() for a in AGREEMENTS), "vat", "consumption")


def fen(amount: Decimal) -> Decimal:
    """`amount` rounded to the fen, half up (0.005 -> 0.01)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """A CNY amount as whole fen (rounded half up first)."""
    return int(fen(amount) * 100)


@dataclass(frozen=True)
class TariffLine:
    """One line of the tariff: an HS prefix (2 to 10 digits) and its rates as fractions."""

    prefix: str
    description: str
    description_zh: str
    mfn: Decimal
    general: Decimal
    vat: Decimal
    preferential: Mapping[str, Decimal] = field(default_factory=dict)  # agreement -> rate
    consumption: Decimal | None = None

    def as_row(self) -> dict[str, str]:
        row = {
            "hs_prefix": self.prefix,
            "description": self.description,
            "description_zh": self.description_zh,
            "mfn": str(self.mfn),
            "general": str(self.general),
            "vat": str(self.vat),
            "consumption": "" if self.consumption is None else str(self.consumption),
        }
        for agreement in AGREEMENTS:
            rate = self.preferential.get(agreement)
            row[agreement.lower()] = "" if rate is None else str(rate)
        return row


@dataclass(frozen=True)
class DutyRate:
    """The duty rate that applies to an item and why: mfn, general or an agreement's name."""

    rate: Decimal
    basis: str


class Tariff:
    """The lines of one tariff version, found by the longest HS prefix."""

    def __init__(self, lines: Iterable[TariffLine]) -> None:
        self.lines = {line.prefix: line for line in lines}
        self._widths = sorted({len(p) for p in self.lines if p != ANY_GOODS}, reverse=True)

    def line_for(self, hs_code: str) -> TariffLine | None:
        for width in self._widths:
            line = self.lines.get(hs_code[:width])
            if line is not None and width <= len(hs_code):
                return line
        return self.lines.get(ANY_GOODS)

    def duty_rate(self, line: TariffLine, origin: str) -> DutyRate:
        if origin in NO_MFN:
            return DutyRate(line.general, "general")
        best = DutyRate(line.mfn, "mfn")
        for agreement, rate in sorted(line.preferential.items()):
            if origin in AGREEMENTS.get(agreement, frozenset()) and rate < best.rate:
                best = DutyRate(rate, agreement)
        return best


@dataclass(frozen=True)
class ItemDuty:
    """What one item owes, in CNY to the fen."""

    item: int
    hs_code: str
    origin: str
    tariff_line: str
    customs_value: Decimal
    duty_rate: Decimal
    duty_basis: str
    duty: Decimal
    consumption_rate: Decimal | None
    consumption_tax: Decimal
    vat_rate: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty + self.consumption_tax + self.vat


@dataclass(frozen=True)
class Assessment:
    items: tuple[ItemDuty, ...]

    @property
    def customs_value(self) -> Decimal:
        return sum((i.customs_value for i in self.items), Decimal(0))

    @property
    def duty(self) -> Decimal:
        return sum((i.duty for i in self.items), Decimal(0))

    @property
    def consumption_tax(self) -> Decimal:
        return sum((i.consumption_tax for i in self.items), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return sum((i.vat for i in self.items), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.duty + self.consumption_tax + self.vat


class NoTariffLine(ValueError):
    def __init__(self, item: int, hs_code: str) -> None:
        super().__init__(f"items[{item}].hs_code {hs_code} has no line in the tariff")
        self.item, self.hs_code = item, hs_code


def item_duty(
    tariff: Tariff, n: int, hs_code: str, origin: str, customs_value: Decimal
) -> ItemDuty:
    """One item's duty and taxes on its customs value in CNY (rounded to the fen first)."""
    line = tariff.line_for(hs_code)
    if line is None:
        raise NoTariffLine(n, hs_code)
    value = fen(customs_value)
    rate = tariff.duty_rate(line, origin)
    duty = fen(value * rate.rate)
    consumption = Decimal(0)
    if line.consumption:
        consumption = fen((value + duty) / (1 - line.consumption) * line.consumption)
    vat = fen((value + duty + consumption) * line.vat)
    return ItemDuty(
        item=n,
        hs_code=hs_code,
        origin=origin,
        tariff_line=line.prefix,
        customs_value=value,
        duty_rate=rate.rate,
        duty_basis=rate.basis,
        duty=duty,
        consumption_rate=line.consumption,
        consumption_tax=consumption,
        vat_rate=line.vat,
        vat=vat,
    )


def assess(tariff: Tariff, items: Sequence[tuple[str, str, Decimal]]) -> Assessment:
    """Each item's (hs_code, origin, customs value in CNY) assessed."""
    return Assessment(
        tuple(
            item_duty(tariff, n, hs, origin, value) for n, (hs, origin, value) in enumerate(items)
        )
    )


# --- the table as CSV --------------------------------------------------------------------------


def _rate(text: str, where: str, errors: list[FieldError], optional: bool) -> Decimal | None:
    text = text.strip()
    if not text:
        if optional:
            return None
        errors.append(FieldError(where, text, "a rate in percent, e.g. 6.5"))
        return None
    try:
        percent = Decimal(text)
    except InvalidOperation:
        percent = Decimal(-1)
    # Duty may exceed the value (general rates of 180%); a tax's base divides by 1 - its rate.
    below = 100 if where.endswith((".vat", ".consumption")) else 1000
    if not percent.is_finite() or not 0 <= percent < below:
        errors.append(FieldError(where, text, f"a rate in percent from 0 to below {below}"))
        return None
    return percent / 100


def read_csv(text: str) -> list[TariffLine]:
    """Tariff lines from CSV (rates in percent; `#` lines are comments); refused whole with
    every line's error."""
    kept = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")]
    rows = csv.DictReader(io.StringIO("\n".join(line for _, line in kept)))
    missing = [
        c for c in ("hs_prefix", "mfn", "general", "vat") if c not in (rows.fieldnames or [])
    ]
    if missing:
        raise ValidationFailed.one("header", ",".join(rows.fieldnames or []), f"columns {missing}")
    errors: list[FieldError] = []
    lines: list[TariffLine] = []
    seen: set[str] = set()
    for row in rows:
        n = kept[rows.line_num - 1][0]  # the line as the file numbers it, comments counted
        prefix = (row.get("hs_prefix") or "").strip()
        digits = prefix.isdigit() and prefix.isascii() and 2 <= len(prefix) <= 10
        if not (digits or prefix == ANY_GOODS):
            errors.append(FieldError(f"line {n}.hs_prefix", prefix, "2 to 10 digits, or *"))
            continue
        if prefix in seen:
            errors.append(FieldError(f"line {n}.hs_prefix", prefix, "a prefix listed once"))
            continue
        seen.add(prefix)
        rates = {
            c: _rate(row.get(c) or "", f"line {n}.{c}", errors, c not in ("mfn", "general", "vat"))
            for c in RATE_COLUMNS
        }
        if any(rates[c] is None for c in ("mfn", "general", "vat")):
            continue
        lines.append(
            TariffLine(
                prefix=prefix,
                description=(row.get("description") or "").strip(),
                description_zh=(row.get("description_zh") or "").strip(),
                mfn=rates["mfn"] or Decimal(0),
                general=rates["general"] or Decimal(0),
                vat=rates["vat"] or Decimal(0),
                preferential={a: r for a in AGREEMENTS if (r := rates[a.lower()]) is not None},
                consumption=rates["consumption"] or None,
            )
        )
    if errors:
        first = errors[0]
        raise ValidationFailed(
            f"tariff: {first.field} {first.value!r} is not {first.expected}", errors
        )
    if not lines:
        raise ValidationFailed.one("lines", 0, "at least one tariff line")
    return lines


def lines_document(lines: Iterable[TariffLine]) -> list[dict[str, str]]:
    """The lines as stored (rates as fractions in text)."""
    return [line.as_row() for line in lines]


def from_document(rows: Iterable[Mapping[str, str]]) -> Tariff:
    def rate(text: str) -> Decimal | None:
        return Decimal(text) if text else None

    return Tariff(
        TariffLine(
            prefix=row["hs_prefix"],
            description=row["description"],
            description_zh=row["description_zh"],
            mfn=Decimal(row["mfn"]),
            general=Decimal(row["general"]),
            vat=Decimal(row["vat"]),
            preferential={a: r for a in AGREEMENTS if (r := rate(row.get(a.lower(), "")))},
            consumption=rate(row.get("consumption", "")),
        )
        for row in rows
    )


# --- tonnage dues (船舶吨税) -----------------------------------------------------------------

PERIODS = (30, 90, 365)  # days a dues certificate is valid, as the agent chooses
# Flags of states with a reciprocity agreement on tonnage dues with China: the preferential rate
# applies (an illustrative short list, to be replaced by customs' own).
TONNAGE_PREFERENTIAL_FLAGS: frozenset[str] = frozenset(
    {"CN", "HK", "MO", "PA", "LR", "MH", "SG", "GR", "NO", "JP", "KR", "DE", "GB", "DK", "CY", "MT"}
)


@dataclass(frozen=True)
class TonnageBand:
    """Rates per net ton (CNY) of ships up to `up_to` net tons, by period: general, preferential."""

    up_to: Decimal | None  # None: any larger ship
    general: Mapping[int, Decimal]
    preferential: Mapping[int, Decimal]


def read_tonnage_csv(text: str) -> list[TonnageBand]:
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    bands = []
    for row in rows:
        up_to = row["net_tonnage_up_to"].strip()
        bands.append(
            TonnageBand(
                up_to=Decimal(up_to) if up_to else None,
                general={p: Decimal(row[f"general_{p}"]) for p in PERIODS},
                preferential={p: Decimal(row[f"preferential_{p}"]) for p in PERIODS},
            )
        )
    return sorted(bands, key=lambda b: (b.up_to is None, b.up_to or 0))


@dataclass(frozen=True)
class TonnageDues:
    net_tonnage: Decimal
    flag: str
    period_days: int
    preferential: bool
    rate: Decimal  # CNY per net ton
    amount: Decimal


def tonnage_dues(
    bands: Sequence[TonnageBand], net_tonnage: Decimal, flag: str, period_days: int
) -> TonnageDues:
    """The dues of a ship of `net_tonnage` under `flag` for a certificate of `period_days`."""
    if period_days not in PERIODS:
        raise ValueError(f"period_days: one of {PERIODS}")
    band = next(b for b in bands if b.up_to is None or net_tonnage <= b.up_to)
    preferential = flag in TONNAGE_PREFERENTIAL_FLAGS
    rate = (band.preferential if preferential else band.general)[period_days]
    return TonnageDues(net_tonnage, flag, period_days, preferential, rate, fen(net_tonnage * rate))
