"""Calendar days any use case may be given (a period, a schedule's first day, a capacity's day)."""

from __future__ import annotations

from datetime import date

from kouan.domain.errors import ValidationFailed

# The days a period or schedule may name: anything else is a typo, and calendar sums near the
# ends of Python's dates (years 1 and 9999) overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def check_day(name: str, day: date | None) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed.one(name, day.isoformat(), "a day in the years 2000 to 2099")
