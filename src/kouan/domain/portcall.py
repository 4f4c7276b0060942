"""A port call's life: the S-211 style timeline, its status and its zero-wait figures.

Pure functions over the call's recorded instants, so the same logic serves the service layer,
the board, reports and the simulator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kouan.domain.agency import ReviewStatus
from kouan.domain.errors import InvalidTransition


class TimelineEvent(StrEnum):
    """Actual instants of a call, in the order they happen (IHO S-211 / PortCDM)."""

    ATA = "ATA"  # arrived at the pilot boarding place / port area
    ALL_FAST = "ALL_FAST"  # moored alongside the berth
    OPS_START = "OPS_START"  # cargo operations commenced
    OPS_COMPLETE = "OPS_COMPLETE"  # cargo operations completed
    ATD = "ATD"  # left the berth

    @property
    def column(self) -> str:
        return self.value.lower()


TIMELINE: tuple[TimelineEvent, ...] = tuple(TimelineEvent)


class CallStatus(StrEnum):
    FILED = "filed"  # under review for entry
    REJECTED = "rejected"  # an agency rejected the entry; the agent must amend
    CLEARED = "cleared"  # entry permit issued, ship not yet arrived
    ARRIVED = "arrived"
    ALONGSIDE = "alongside"
    WORKING = "working"
    COMPLETED = "completed"
    DEPARTED = "departed"


IN_PORT = frozenset(
    {CallStatus.ARRIVED, CallStatus.ALONGSIDE, CallStatus.WORKING, CallStatus.COMPLETED}
)
_PHYSICAL = {
    TimelineEvent.ATA: CallStatus.ARRIVED,
    TimelineEvent.ALL_FAST: CallStatus.ALONGSIDE,
    TimelineEvent.OPS_START: CallStatus.WORKING,
    TimelineEvent.OPS_COMPLETE: CallStatus.COMPLETED,
    TimelineEvent.ATD: CallStatus.DEPARTED,
}


def derive_status(
    timeline: dict[TimelineEvent, datetime | None],
    entry_permit_at: datetime | None,
    entry_reviews: Iterable[str],
) -> CallStatus:
    """Where the call stands: its latest physical stage, or, before arrival, its clearance."""
    for event in reversed(TIMELINE):
        if timeline.get(event) is not None:
            return _PHYSICAL[event]
    if entry_permit_at is not None:
        return CallStatus.CLEARED
    if ReviewStatus.REJECTED in set(entry_reviews):
        return CallStatus.REJECTED
    return CallStatus.FILED


def check_event(
    timeline: dict[TimelineEvent, datetime | None],
    event: TimelineEvent,
    at: datetime,
    departure_permit_at: datetime | None,
) -> None:
    """Refuse an event out of order: each needs the one before it, and time runs forward."""
    index = TIMELINE.index(event)
    if index > 0:
        previous = TIMELINE[index - 1]
        previous_at = timeline.get(previous)
        if previous_at is None:
            raise InvalidTransition(f"{event.value} needs {previous.value} to be recorded first")
        if at < previous_at:
            raise InvalidTransition(
                f"{event.value} at {at.isoformat()} is before {previous.value} at "
                f"{previous_at.isoformat()}"
            )
    if index + 1 < len(TIMELINE):
        following = timeline.get(TIMELINE[index + 1])
        if following is not None and at > following:
            raise InvalidTransition(
                f"{event.value} at {at.isoformat()} is after {TIMELINE[index + 1].value}"
            )
    if event is TimelineEvent.ATD and departure_permit_at is None:
        raise InvalidTransition("ATD needs the departure permit; it has not been issued")


# How far an actual time may stray from the filed estimate before it is worth a second look.
PLAUSIBLE_DRIFT = timedelta(days=30)


def oddities(event: TimelineEvent, at: datetime, eta: datetime, etd: datetime) -> list[str]:
    """Why a possible time is odd (an arrival long before its ETA): kept as recorded, flagged for
    someone to look at. Impossible times are refused before (kouan.domain.values); this is the
    hook where flagging belongs, each reason a key a later issue records and shows."""
    estimates = {TimelineEvent.ATA: ("eta", eta), TimelineEvent.ATD: ("etd", etd)}
    if event not in estimates:
        return []
    name, estimate = estimates[event]
    if at < estimate - PLAUSIBLE_DRIFT:
        return [f"{event.value.lower()}_long_before_{name}"]
    if at > estimate + PLAUSIBLE_DRIFT:
        return [f"{event.value.lower()}_long_after_{name}"]
    return []


def _minutes(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None or end <= start:
        return 0.0
    return round((end - start).total_seconds() / 60, 1)


@dataclass(frozen=True)
class ZeroWait:
    """Non-working minutes caused by waiting for a permit (零待时 when both are zero)."""

    entry_wait_minutes: float
    departure_wait_minutes: float

    @property
    def is_zero_wait(self) -> bool:
        return self.entry_wait_minutes == 0 and self.departure_wait_minutes == 0

    @property
    def non_working_minutes(self) -> float:
        return self.entry_wait_minutes + self.departure_wait_minutes

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "entry_wait_minutes": self.entry_wait_minutes,
            "departure_wait_minutes": self.departure_wait_minutes,
            "is_zero_wait": self.is_zero_wait,
        }


def zero_wait(
    all_fast: datetime | None,
    entry_permit_at: datetime | None,
    ops_complete: datetime | None,
    departure_permit_at: datetime | None,
    now: datetime,
) -> ZeroWait:
    """Minutes berthed without the entry permit, and finished without the departure permit.

    A wait still running counts up to `now`, so the board shows it growing.
    """
    entry_end = entry_permit_at or (now if all_fast else None)
    departure_end = departure_permit_at or (now if ops_complete else None)
    return ZeroWait(_minutes(all_fast, entry_end), _minutes(ops_complete, departure_end))


def all_approved(statuses: Iterable[str]) -> bool:
    values = list(statuses)
    return bool(values) and all(s == ReviewStatus.APPROVED for s in values)
