"""The kinds of value every document Kouan takes in is made of, strict on the way in.

One place says what is impossible, whoever sends it (the API, the pages, an EDIFACT message):
text holding NUL or an unpaired surrogate (no database or encoder can keep it), a time outside
the years a port's records span (2000-2099), a birth date in the future, a number sent for a date
or true/false sent for a number. Each refusal has its own error type, so the pages can say it in
the reader's language, and a message that says what was expected.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

# The years a port's records span: anything outside is a typo or a placeholder, never a call.
FIRST_YEAR, LAST_YEAR = 2000, 2099
# Nobody travelling was born before this day.
EARLIEST_BIRTH = date(1900, 1, 1)

_UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")
# Pydantic reads "1733000000" as seconds since 1970: a date must be written as one.
_DIGITS_ONLY = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")

NO_NUL = "text without NUL characters (U+0000)"
NO_SURROGATE = "text without unpaired surrogates (U+D800 to U+DFFF): valid Unicode"


def unfit_character(text: str) -> str | None:
    """What `text` holds that no database or encoder keeps (what was expected instead), or None."""
    if "\x00" in text:
        return NO_NUL
    if not text.isascii() and _UNPAIRED_SURROGATE.search(text):
        return NO_SURROGATE
    return None


def plain_text(value: str) -> str:
    """Text as it can be stored: NUL and unpaired surrogates refused."""
    unfit = unfit_character(value)
    if unfit == NO_NUL:
        raise PydanticCustomError("text_nul", NO_NUL)
    if unfit is not None:
        raise PydanticCustomError("text_surrogate", NO_SURROGATE)
    return value


def _not_a_number(expected: str) -> Any:
    """A before-check refusing numbers (and their digits as text) where a date is meant."""

    def check(value: Any) -> Any:
        numeric = isinstance(value, int | float | Decimal)
        if numeric or (isinstance(value, str) and _DIGITS_ONLY.fullmatch(value)):
            raise PydanticCustomError(
                "date_not_number", "{expected}, not a number", {"expected": expected}
            )
        return value

    return check


def not_a_bool(value: Any) -> Any:
    """True and false are not 1 and 0 for a count, a level or a quantity."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_bool", "a number, not true or false")
    return value


def _only_a_bool(value: Any) -> Any:
    """1 and 0, "yes" and "no" are not true and false."""
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "true or false")
    return value


IN_PORT_YEARS = f"a date and time in the years {FIRST_YEAR} to {LAST_YEAR}"
DAY_IN_PORT_YEARS = f"a date in the years {FIRST_YEAR} to {LAST_YEAR}"
BIRTH_DAY = f"a date of birth from {EARLIEST_BIRTH.isoformat()} up to today"


def in_port_years(moment: datetime | date) -> bool:
    """Whether a time or a day (a local one too: the bounds are whole years) is in 2000-2099."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def latest_birth_day() -> date:
    """The last day anyone can have been born: today where the day starts first (UTC+14)."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def possible_birth_day(day: date) -> bool:
    return EARLIEST_BIRTH <= day <= latest_birth_day()


def _port_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "time_without_offset",
            "a date and time with a UTC offset, e.g. 2026-11-27T08:00:00+08:00",
        )
    try:
        moment = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        moment = None
    if moment is None or not in_port_years(moment):
        raise PydanticCustomError(
            "time_out_of_range", IN_PORT_YEARS, {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return moment


def _port_day(value: date) -> date:
    if not in_port_years(value):
        raise PydanticCustomError(
            "date_out_of_range", DAY_IN_PORT_YEARS, {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


def _birth_day(value: date) -> date:
    if not possible_birth_day(value):
        raise PydanticCustomError(
            "birth_date_out_of_range", BIRTH_DAY, {"first": EARLIEST_BIRTH.isoformat()}
        )
    return value


# Text of any field that is kept (names, numbers, notes): the length is the field's own.
Plain = Annotated[str, AfterValidator(plain_text)]
# An instant at the port: aware, kept in UTC, in 2000-2099.
PortTime = Annotated[
    datetime,
    BeforeValidator(_not_a_number("a date and time such as 2026-11-27T08:00:00+08:00")),
    AfterValidator(_port_time),
]
# A day in the port's records (an expiry, a period's first day): 2000-2099.
PortDate = Annotated[
    date, BeforeValidator(_not_a_number("a date such as 2026-11-27")), AfterValidator(_port_day)
]
# A person's date of birth: 1900 up to today.
BirthDate = Annotated[
    date, BeforeValidator(_not_a_number("a date such as 1985-07-02")), AfterValidator(_birth_day)
]
# Numbers where true and false are refused rather than read as 1 and 0.
Whole = Annotated[int, BeforeValidator(not_a_bool)]
Real = Annotated[float, BeforeValidator(not_a_bool)]
Amount = Annotated[Decimal, BeforeValidator(not_a_bool)]
Flag = Annotated[bool, BeforeValidator(_only_a_bool)]
