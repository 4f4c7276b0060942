"""How values read on a page: times at the port with the date, numbers, ages and coded words."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal

from kouan.domain.reasons import render as render_reason
from kouan.rules.registry import BOOKS
from kouan.site import PORT_ZONE
from kouan.web.ui.i18n import LOCALES, N_, translations

_CHINESE_UNITS = ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万"))

STATUS_LABELS = {
    "filed": N_("Filed"),
    "cleared": N_("Cleared"),
    "rejected": N_("Rejected"),
    "arrived": N_("Arrived"),
    "alongside": N_("Alongside"),
    "working": N_("Working"),
    "completed": N_("Completed"),
    "departed": N_("Departed"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "inspect": N_("Inspection"),
    "hold": N_("Hold"),
}
ORG_LABELS = {
    "PORT_OFFICE": N_("Port office"),
    "CUSTOMS": N_("Customs"),
    "CIQ": N_("Inspection and quarantine"),
    "BORDER": N_("Border inspection"),
    "MSA": N_("Maritime safety"),
    "TERMINAL": N_("Terminal"),
    "SHIPPING_AGENT": N_("Shipping agent"),
    "CUSTOMS_BROKER": N_("Customs broker"),
    "AIRLINE": N_("Airline"),
    "CRUISE_LINE": N_("Cruise line"),
}
EVENT_LABELS = {
    "ETA": N_("ETA"),
    "ATA": N_("Arrived (ATA)"),
    "ALL_FAST": N_("All fast"),
    "OPS_START": N_("Operations started"),
    "OPS_COMPLETE": N_("Operations complete"),
    "ATD": N_("Departed (ATD)"),
}
DECISION_LABELS = {
    "approve": N_("Approve"),
    "inspect": N_("Order inspection"),
    "hold": N_("Hold"),
    "reject": N_("Reject"),
}
PHASE_LABELS = {"entry": N_("Entry"), "departure": N_("Departure"), "cargo": N_("Cargo")}
DECIDER_LABELS = {"rules": N_("Rules"), "officer": N_("Officer")}
AUDIT_LABELS = {
    "port_call.filed": N_("Arrival notice filed"),
    "port_call.amended": N_("Arrival notice amended"),
    "port_call.departure_filed": N_("Departure filed"),
    "port_call.event": N_("Event recorded"),
    "port_call.settled": N_("Status or permits changed"),
    "review.opened": N_("Review opened"),
    "review.reopened": N_("Review re-opened"),
    "review.decided": N_("Review decided"),
    "declaration.filed": N_("Declaration filed"),
    "declaration.settled": N_("Declaration status changed"),
    "declaration.gated_out": N_("Gate-out recorded"),
    "declaration.seized": N_("Goods seized"),
    "inspection.booked": N_("Inspection booked"),
    "inspection.cancelled": N_("Inspection cancelled"),
    "inspection.result": N_("Inspection result recorded"),
}


def instant(value: datetime | str | None) -> datetime | None:
    """A service's time (aware datetime or ISO 8601 text) as an aware datetime."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def at_port(value: datetime | str | None) -> datetime | None:
    moment = instant(value)
    return moment.astimezone(PORT_ZONE) if moment else None


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
    """Minutes as hours and minutes: "2 h 05 min" / "2小时05分"."""
    t = translations(lang).gettext
    total = round(minutes)
    if total >= 24 * 60:
        days, rest = divmod(total, 24 * 60)
        return t("%(d)d d %(h)d h") % {"d": days, "h": rest // 60}
    if total >= 60:
        return t("%(h)d h %(m)02d min") % {"h": total // 60, "m": total % 60}
    return t("%(m)d min") % {"m": total}


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
            status=labeller(STATUS_LABELS, lang),
            org=labeller(ORG_LABELS, lang),
            event=labeller(EVENT_LABELS, lang),
            decision=labeller(DECISION_LABELS, lang),
            phase=labeller(PHASE_LABELS, lang),
            decider=labeller(DECIDER_LABELS, lang),
            audit=labeller(AUDIT_LABELS, lang),
        )


def reason(record: Mapping[str, Any], lang: str) -> str:
    """A record's reason (a review's, a target's, an audit entry's) in the language: rendered
    from its message key where it has one, else as written."""
    key = record.get("reason_key")
    if not key:
        return str(record.get("reason") or "")
    return render_reason(key, record.get("reason_params"), translations(lang).gettext, lang == "zh")
