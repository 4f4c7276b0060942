"""What the agencies' port-call rules look at, and the checks several agencies share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import ArrivalNotice, DepartureNotice
from kouan.rules.base import Finding, found

SUBJECT_KIND = "port_call"


@dataclass(frozen=True)
class CallFacts:
    """The arrival notice, the departure when filed, and what Kouan knows of the ship."""

    arrival: ArrivalNotice
    phase: Phase
    now: datetime
    departure: DepartureNotice | None = None
    ship_detentions: int = 0  # detentions on record for this ship (port State control)


def raised_security_level(facts: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """A check several agencies use: the ISPS level is at least params["refer_security_level"]."""
    level = facts.arrival.security_level
    if level >= int(params["refer_security_level"]):
        yield found("security_level", level=level)
