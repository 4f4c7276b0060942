"""How values read on a page: times at the port with the date, numbers, ages and coded words."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal

from kouan.domain.reasons import render as render_reason
from kouan.rules.registry import BOOKS
from kouan.site import PORT_ZONE
from kouan.web.ui import words
from kouan.web.ui.i18n import LOCALES, translations

_CHINESE_UNITS = ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万"))


def instant(value: datetime | str | None) -> datetime | None:
    """A service's time (aware datetime or ISO 8601 text) as an aware datetime."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def at_port(value: datetime | str | None) -> datetime | None:
    moment = instant(value)
    return moment.astimezone(PORT_ZONE) if moment else None


def port_iso(value: datetime | str | None) -> str:
    """A moment as ISO 8601 with the port's offset, for a CSV cell ("" for none)."""
    moment = at_port(value)
    return moment.isoformat() if moment else ""


def port_day(now: datetime) -> date:
    """The day it is at the port."""
    return now.astimezone(PORT_ZONE).date()


def when(value: datetime | str | None, lang: str) -> str:
    """A moment as the port's clock shows it, with the date: 2026-11-27 08:00."""
    moment = instant(value)
    if moment is None:
        return "—"
    return format_datetime(moment, "yyyy-MM-dd HH:mm", tzinfo=PORT_ZONE, locale=LOCALES[lang])


def local_input(value: datetime | str | None) -> str:
    """The value of a datetime-local field: the port's wall-clock time to the minute."""
    moment = at_port(value)
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else ""


def number(value: float | int | None, lang: str) -> str:
    """A number with the language's separators: 12,345.5."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.#", locale=LOCALES[lang])


def big_number(value: float | int | None, lang: str) -> str:
    """Like `number`, but in Chinese ten thousands and hundred millions read as 万 and 亿."""
    if value is None or lang != "zh":
        return number(value, lang)
    amount = Decimal(str(value))
    for unit, word in _CHINESE_UNITS:
        if abs(amount) >= unit:
            scaled = format_decimal(amount / unit, format="#,##0.##", locale=LOCALES[lang])
            return f"{scaled}{word}"
    return number(value, lang)


def age_minutes(since: datetime | str | None, now: datetime) -> float:
    start = instant(since)
    return max((now - start).total_seconds() / 60, 0.0) if start else 0.0


def paged(found: Sequence[Any], offset: int, size: int, key: str = "rows") -> dict[str, Any]:
    """A paged list's share of its page, `found` fetched with one more than the page holds: the
    page's rows, whether a next page follows, and where this one starts."""
    return {key: found[:size], "has_next": len(found) > size, "offset": offset, "page_size": size}


def duration(minutes: float, lang: str) -> str:
    """Minutes as hours and minutes: "2 h 05 min" / "2小时05分"; less than half a minute is
    "under a minute", never "0 min" (which reads as broken)."""
    t = translations(lang).gettext
    total = round(minutes)
    if total < 1:
        return t(words.UNDER_A_MINUTE)
    if total >= 24 * 60:
        days, rest = divmod(total, 24 * 60)
        return t(words.DAYS_HOURS) % {"d": days, "h": rest // 60}
    if total >= 60:
        return t(words.HOURS_MINUTES) % {"h": total // 60, "m": total % 60}
    return t(words.MINUTES) % {"m": total}


@cache
def _rule_titles() -> dict[str, tuple[str, str]]:
    return {
        rule["code"]: (rule["title"], rule["title_zh"])
        for rule_book in BOOKS.values()
        for rule in rule_book.describe(rule_book.default_document())
    }


def rule_title(code: str, lang: str) -> str:
    """A rule's title in the language; the code itself for a rule no longer in the registry."""
    titles = _rule_titles().get(code)
    if titles is None:
        return code
    return titles[1] if lang == "zh" else titles[0]


def labeller(table: Mapping[str, str], lang: str) -> Callable[[str | None], str]:
    """A function that names a coded value (status, agency, event) in the language."""
    t = translations(lang).gettext

    def name(code: str | None) -> str:
        if code is None:
            return "—"
        return t(table[code]) if code in table else code

    return name


@dataclass(frozen=True)
class Labels:
    """Every coded word a page names, in one language."""

    status: Callable[[str | None], str]
    org: Callable[[str | None], str]
    event: Callable[[str | None], str]
    decision: Callable[[str | None], str]
    phase: Callable[[str | None], str]
    decider: Callable[[str | None], str]
    audit: Callable[[str | None], str]

    @classmethod
    def of(cls, lang: str) -> Labels:
        return cls(
            status=labeller(words.STATUS_LABELS, lang),
            org=labeller(words.ORG_LABELS, lang),
            event=labeller(words.EVENT_LABELS, lang),
            decision=labeller(words.DECISION_LABELS, lang),
            phase=labeller(words.PHASE_LABELS, lang),
            decider=labeller(words.DECIDER_LABELS, lang),
            audit=labeller(words.AUDIT_LABELS, lang),
        )


def reason(record: Mapping[str, Any], lang: str) -> str:
    """A record's reason (a review's, a target's, an audit entry's) in the language: rendered
    from its message key where it has one, else as written."""
    key = record.get("reason_key")
    if not key:
        return str(record.get("reason") or "")
    return render_reason(key, record.get("reason_params"), translations(lang).gettext, lang == "zh")
