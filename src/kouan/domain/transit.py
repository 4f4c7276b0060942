"""Transit under customs seal (转关): goods declared at an inland customs office arrive at the
seaport and move to that office under seal, within a time limit per route. The office
acknowledges their arrival and checks the seals; a seal that does not match holds the goods.

Pure rules: the route's time limit, the deadline, whether a transit is overdue at an instant,
the seal check; and the messages (reasons) a transit raises, registered with the reasons'
catalogue by `register_templates` (kouan.bootstrap), as the health domain's are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from kouan.domain import reasons
from kouan.domain.errors import ValidationFailed
from kouan.domain.reasons import Reason


class TransitStatus(StrEnum):
    OPENED = "opened"  # customs at the port has opened it; the goods have not left
    DEPARTED = "departed"  # left the port under seal: the time limit runs
    OVERDUE = "overdue"  # past its time limit without arriving (customs alerted, once)
    ARRIVED = "arrived"  # arrived with seals that do not match: the goods are held
    CLOSED = "closed"  # arrived with the seals intact, or released after a held arrival


IN_TRANSIT = frozenset({TransitStatus.DEPARTED, TransitStatus.OVERDUE})


class Conveyance(StrEnum):
    ROAD = "road"  # a truck: its plate (鲁B12345)
    RAIL = "rail"  # a rail wagon: its number


# The time limits of the routes Kouan knows, in hours, from the port of arrival to the inland
# office; any other route has the configured default (KOUAN_TRANSIT_DEFAULT_HOURS).
ROUTES: Mapping[tuple[str, str], float] = {
    ("CNTAO", "CNJNA"): 24.0,  # Qingdao to Jinan: about 370 km of expressway
    ("CNTAO", "CNHOM"): 72.0,  # Qingdao to Houma: about 1,000 km, by road or rail
}
DEFAULT_HOURS = 48.0


def time_limit(from_port: str, to_office: str, default_hours: float = DEFAULT_HOURS) -> float:
    """The route's time limit in hours (the default for a route not in the table)."""
    return ROUTES.get((from_port, to_office), default_hours)


def deadline(departed_at: datetime, limit_hours: float) -> datetime:
    """When the goods must have arrived: the departure plus the route's limit."""
    return departed_at + timedelta(hours=limit_hours)


def overdue(status: str, due_at: datetime | None, at: datetime) -> bool:
    """Whether a transit is overdue at `at`: on its way (or already found overdue) and past its
    deadline. An arrived or closed transit is never overdue, however late it came."""
    if TransitStatus(status) not in IN_TRANSIT or due_at is None:
        return False
    return at > due_at


def time_left(due_at: datetime | None, at: datetime) -> timedelta | None:
    """How long until the deadline (negative when past it); None before departure."""
    return None if due_at is None else due_at - at


# --- seals ------------------------------------------------------------------------------------

# A customs seal's number: letters and digits, maybe with a dash (e.g. CN-TAO-4471023).
_SEAL = re.compile(r"[0-9A-Z][0-9A-Z-]{2,19}")
MAX_SEALS = 20
# A truck's plate (鲁B12345, 晋L·D1234) or a rail wagon's number (5 to 8 digits).
_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][·]?[0-9A-Z]{4,6}[\u4e00-\u9fff]?")
_WAGON = re.compile(r"[0-9]{5,8}")


def seals_of(values: Iterable[str], field: str = "seals") -> list[str]:
    """Seal numbers as entered (spaces and case ignored, each once, in order); refused naming
    the field and the seal when one is not a seal number."""
    found: list[str] = []
    for index, value in enumerate(values):
        seal = str(value).strip().upper().replace(" ", "")
        if not seal:
            continue
        if not _SEAL.fullmatch(seal):
            raise ValidationFailed.one(
                f"{field}[{index}]", value, "a seal number: 3 to 20 letters, digits or dashes"
            )
        if seal not in found:
            found.append(seal)
    if len(found) > MAX_SEALS:
        raise ValidationFailed.one(field, len(found), f"at most {MAX_SEALS} seals")
    return found


def split_seals(text: str) -> list[str]:
    """Seal numbers typed in one field, separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[,;，；\s]+", text) if part]


def conveyance_of(kind: str, identifier: str) -> tuple[Conveyance, str]:
    """The conveyance and its plate or wagon number, checked."""
    try:
        conveyance = Conveyance(str(kind).strip().lower())
    except ValueError:
        raise ValidationFailed.one("conveyance", kind, "road or rail") from None
    ident = str(identifier).strip().upper().replace(" ", "")
    pattern, expected = (
        (_PLATE, "a vehicle's plate, e.g. 鲁B12345")
        if conveyance is Conveyance.ROAD
        else (_WAGON, "a rail wagon's number: 5 to 8 digits")
    )
    if not pattern.fullmatch(ident):
        raise ValidationFailed.one("conveyance_id", identifier, expected)
    return conveyance, ident


@dataclass(frozen=True)
class SealCheck:
    """The seals found at arrival beside those the goods left under."""

    missing: tuple[str, ...]  # sealed at departure, not found at arrival
    unexpected: tuple[str, ...]  # found at arrival, not sealed at departure

    @property
    def intact(self) -> bool:
        return not self.missing and not self.unexpected

    def reason(self) -> Reason:
        """Why the goods are held (for a check that is not intact)."""
        return reason(
            "transit.seal_mismatch",
            missing=", ".join(self.missing) or "-",
            unexpected=", ".join(self.unexpected) or "-",
        )


def check_seals(sealed: Iterable[str], found: Iterable[str]) -> SealCheck:
    """Compare the seals found at arrival with those the goods departed under."""
    before, after = list(sealed), list(found)
    return SealCheck(
        missing=tuple(s for s in before if s not in after),
        unexpected=tuple(s for s in after if s not in before),
    )


# --- messages ---------------------------------------------------------------------------------

TEMPLATES: dict[str, str] = {
    "transit.overdue": (
        "transit {transit} of declaration {declaration} from {from_port} to {to_office} is "
        "overdue: it was due by {due_at}"
    ),
    "transit.overdue_body": (
        "departed {departed_at} by {conveyance} {conveyance_id} under seals {seals}; the "
        "route's time limit is {hours} hours"
    ),
    "transit.seal_mismatch": (
        "the seals at arrival do not match: missing {missing}; not sealed at departure {unexpected}"
    ),
}


def register_templates() -> None:
    """Add the transit's messages to the reasons' catalogue (idempotent)."""
    reasons.register(TEMPLATES)


def reason(key: str, **params: Any) -> Reason:
    """A reason of the transit domain (its templates registered first)."""
    if key not in reasons.TEMPLATES:
        register_templates()
    return Reason(key, params)
