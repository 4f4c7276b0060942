"""Months, the period every port statistic is kept by: parsing "YYYY-MM", arithmetic across year
ends, quarters, the months of a year to date and the days a month spans."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
# `date` spans years 1 to 9999; a month outside them could not say its first or last day.
_FIRST_YEAR, _LAST_YEAR = 1, 9999


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; months compare in time order (year first, then month)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        for name, value in (("year", self.year), ("month", self.month)):
            # bool is an int to Python, but True is no month.
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"Month {name} must be a whole number, not {value!r}")
        if not 1 <= self.month <= 12:
            raise ValueError(f"Month month must be 1 to 12, not {self.month}")
        if not _FIRST_YEAR <= self.year <= _LAST_YEAR:
            raise ValueError(f"Month year must be {_FIRST_YEAR} to {_LAST_YEAR}, not {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """The month written "YYYY-MM" ("2026-10"); anything else, even "2026-1", is refused."""
        found = _PATTERN.fullmatch(text) if isinstance(text, str) else None
        if found is None or not 1 <= int(found.group(2)) <= 12 or found.group(1) == "0000":
            raise ValueError(f"{text!r} is not a month written YYYY-MM")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        """The month `day` falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since January of year 0: the difference of two indexes counts months between."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        year, month0 = divmod(self.index + months, 12)
        return Month(year, month0 + 1)

    def next(self) -> Month:
        return self.shift(1)

    def previous(self) -> Month:
        return self.shift(-1)

    def same_month_last_year(self) -> Month:
        """The base of a year-on-year change (同比)."""
        return self.shift(-12)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def quarter_months(self) -> list[Month]:
        """The three months of this month's quarter, in order."""
        first = (self.quarter - 1) * 3 + 1
        return [Month(self.year, first + i) for i in range(3)]

    def year_to_date(self) -> list[Month]:
        """January to this month of its year (累计, "截至10月份")."""
        return [Month(self.year, m) for m in range(1, self.month + 1)]

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def months(first: Month, last: Month) -> list[Month]:
    """Every month from `first` to `last`, both included; empty when `last` comes first."""
    return [first.shift(i) for i in range(last.index - first.index + 1)]
