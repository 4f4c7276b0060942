"""What the agencies' port-call rules look at, and the checks several agencies share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import ArrivalNotice, DepartureNotice, Person
from kouan.rules.base import Finding, WatchHit, found

SUBJECT_KIND = "port_call"


@dataclass(frozen=True)
class CallFacts:
    """The arrival notice, the departure when filed, what Kouan knows of the ship, and the
    watch-list hits of the people aboard in the phase, by their target ("crew[3]")."""

    arrival: ArrivalNotice
    phase: Phase
    now: datetime
    departure: DepartureNotice | None = None
    ship_detentions: int = 0  # detentions on record for this ship (port State control)
    hits: Mapping[str, Sequence[WatchHit]] = field(default_factory=dict)


def _lists(subject: CallFacts) -> tuple[list[Person], list[Person]]:
    """Crew and passengers of the phase: on departure the departure's lists where filed."""
    crew, passengers = subject.arrival.crew, subject.arrival.passengers
    departure = subject.departure
    if subject.phase is Phase.DEPARTURE and departure is not None:
        crew = crew if departure.crew is None else departure.crew
        passengers = passengers if departure.passengers is None else departure.passengers
    return crew, passengers


def aboard(subject: CallFacts) -> list[tuple[str, str, Person]]:
    """Everyone aboard in the phase: (role, target, person), the target naming their list entry."""
    crew, passengers = _lists(subject)
    return [("crew", f"crew[{n}]", p) for n, p in enumerate(crew)] + [
        ("passenger", f"passengers[{n}]", p) for n, p in enumerate(passengers)
    ]


def raised_security_level(facts: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """A check several agencies use: the ISPS level is at least params["refer_security_level"]."""
    level = facts.arrival.security_level
    if level >= int(params["refer_security_level"]):
        yield found("security_level", level=level)
