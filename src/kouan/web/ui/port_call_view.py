"""What the pages derive from a port call as the services answer it: its timeline steps, the next
event to record, its agency cards and whether it needs its agent's attention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kouan.domain.agency import AGENCIES, Phase, ReviewStatus
from kouan.domain.portcall import TimelineEvent

# Reviews that stop a call and that its agent must act on or follow.
_NEEDS_AGENT = frozenset({ReviewStatus.HOLD, ReviewStatus.REJECTED, ReviewStatus.INSPECT})


@dataclass(frozen=True)
class Step:
    """One step of the timeline ETA → ATA → all fast → operations → complete → ATD."""

    key: str
    at: str | None
    wait_minutes: float = 0.0  # minutes the ship waited for a permit at this step
    source: str | None = None  # who reported the instant, when not the terminal (e.g. AIS)

    @property
    def state(self) -> str:
        if self.wait_minutes > 0:
            return "waiting"
        if self.key == "ETA":
            return "planned"
        return "done" if self.at else "due"


def timeline(call: dict[str, Any]) -> list[Step]:
    """The call's steps; berthed without the entry permit or finished without the departure
    permit, the step carries the minutes waited (drawn in orange)."""
    stamps = call["timestamps"]
    waits = {
        TimelineEvent.ALL_FAST: call["zero_wait"]["entry_wait_minutes"],
        TimelineEvent.OPS_COMPLETE: call["zero_wait"]["departure_wait_minutes"],
    }
    sources = {TimelineEvent.ATA: call["ata_source"] if call["ata_source"] == "AIS" else None}
    steps = [Step("ETA", stamps["ETA"])]
    steps += [
        Step(e.value, stamps[e.value], waits.get(e, 0.0), sources.get(e)) for e in TimelineEvent
    ]
    return steps


def next_event(call: dict[str, Any]) -> str | None:
    """The event the terminal records next, in timeline order; None once the ship has left."""
    for event in TimelineEvent:
        if call["timestamps"][event.value] is None:
            return event.value
    return None


def waits_for_departure_permit(call: dict[str, Any]) -> bool:
    """ATD is next but cannot be recorded: the departure permit is not issued yet."""
    return next_event(call) == TimelineEvent.ATD.value and call["departure_permit"] is None


def needs_attention(call: dict[str, Any]) -> bool:
    """Filed late, or an agency holds, rejects or ordered an inspection."""
    return bool(call["late"]) or any(
        r["status"] in _NEEDS_AGENT for r in call["reviews"] if r["phase"] == Phase.ENTRY
    )


def agency_cards(call: dict[str, Any]) -> list[tuple[str, list[tuple[str, dict[str, Any] | None]]]]:
    """Per phase with reviews (entry; departure once filed): each agency and its review."""
    out = []
    for phase in Phase:
        by_agency = {r["agency"]: r for r in call["reviews"] if r["phase"] == phase}
        if by_agency:
            out.append((phase.value, [(a.value, by_agency.get(a.value)) for a in AGENCIES]))
    return out
