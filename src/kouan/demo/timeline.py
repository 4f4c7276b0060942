"""When each thing happens in a port call of the demo week: the filing, the officers' decisions and
the instants of the timeline, all following from the ship's ATA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kouan.demo import content
from kouan.demo.content import Decide, Visit
from kouan.demo.schedule import hours
from kouan.domain.agency import Phase
from kouan.domain.portcall import TimelineEvent
from kouan.site import PORT_ZONE


def later(moment: datetime | None, value: float) -> datetime | None:
    return None if moment is None else moment + hours(value)


def _latest(moments: list[datetime | None]) -> datetime | None:
    """The last of the instants, or None when one of them has not happened (an open review)."""
    return None if None in moments else max(m for m in moments if m is not None)


@dataclass(frozen=True)
class Times:
    """When each thing happens in one call: the filing, the officers, the timeline."""

    eta: datetime
    etd: datetime
    marks: dict[str, datetime | None]
    decisions: tuple[tuple[Decide, datetime | None], ...]

    def event(self, event: TimelineEvent) -> datetime | None:
        return self.marks[event.value]


def _permit(
    visit: Visit, phase: Phase, earliest: datetime | None, marks: dict[str, Any]
) -> datetime | None:
    """When the phase's permit is issued: at the last decision, never while a review waits."""
    if phase in visit.waiting:
        return None
    decided = [later(marks[d.milestone], d.hours) for d in visit.decisions if d.phase is phase]
    return _latest([earliest, *decided])


def times_of(visit: Visit, ata: datetime) -> Times:
    """Every instant of the call from its ATA: a permit waits for the last officer, operations
    for the entry permit, the ship for its departure permit."""
    call = content.week().hours
    eta = ata - timedelta(minutes=20)
    marks: dict[str, datetime | None] = {"filed": eta - hours(visit.lead), "ATA": ata}
    all_fast = ata + hours(visit.anchor + call.pilotage)
    marks["ALL_FAST"] = all_fast
    entry_permit = _permit(visit, Phase.ENTRY, marks["filed"], marks)
    if entry_permit is not None:
        marks["OPS_START"] = max(
            entry_permit + hours(call.permit_to_work), all_fast + hours(call.preparation)
        )
    else:
        marks["OPS_START"] = None
    marks["departure_filed"] = (
        later(marks["OPS_START"], call.departure_filed) if visit.departs else None
    )
    marks["OPS_COMPLETE"] = later(marks["OPS_START"], visit.working)
    departure_permit = (
        _permit(visit, Phase.DEPARTURE, marks["OPS_COMPLETE"], marks) if visit.departs else None
    )
    marks["ATD"] = later(departure_permit, call.unmooring)
    decisions = tuple((d, later(marks[d.milestone], d.hours)) for d in visit.decisions)
    stay = call.pilotage + call.preparation + visit.working + call.unmooring
    etd = eta + hours(visit.anchor + stay + call.etd_margin)
    return Times(eta, etd, marks, decisions)


def timed(visit: Visit, now: datetime) -> Times:
    """The call's times, placing a ship that left today within today so far (Shanghai time)."""
    if visit.left_today is None:
        return times_of(visit, now + hours(visit.ata))
    local = now.astimezone(PORT_ZONE)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    target = midnight + (local - midnight) * visit.left_today
    draft = times_of(visit, now)
    atd = draft.event(TimelineEvent.ATD)
    assert atd is not None, f"{visit.ship} left today but never gets its departure permit"
    return times_of(visit, now + (target - atd))
