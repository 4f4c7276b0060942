"""Organisation types, the four inspection agencies and their reviews' states."""

from __future__ import annotations

from enum import StrEnum


class OrgType(StrEnum):
    PORT_OFFICE = "PORT_OFFICE"
    CUSTOMS = "CUSTOMS"
    CIQ = "CIQ"
    BORDER = "BORDER"
    MSA = "MSA"
    TERMINAL = "TERMINAL"
    SHIPPING_AGENT = "SHIPPING_AGENT"
    CUSTOMS_BROKER = "CUSTOMS_BROKER"
    AIRLINE = "AIRLINE"
    CRUISE_LINE = "CRUISE_LINE"


class Agency(StrEnum):
    """The four agencies that review a port call in parallel."""

    CUSTOMS = "CUSTOMS"
    CIQ = "CIQ"
    BORDER = "BORDER"
    MSA = "MSA"


AGENCIES: tuple[Agency, ...] = (Agency.CUSTOMS, Agency.CIQ, Agency.BORDER, Agency.MSA)
ENTERPRISE_TYPES = frozenset(
    {OrgType.SHIPPING_AGENT, OrgType.CUSTOMS_BROKER, OrgType.AIRLINE, OrgType.CRUISE_LINE}
)


class ReviewStatus(StrEnum):
    PENDING = "pending"  # waiting for an officer
    INSPECT = "inspect"  # an inspection (e.g. boarding quarantine) is ordered
    HOLD = "hold"  # held: a person or the ship may not proceed
    APPROVED = "approved"
    REJECTED = "rejected"


OPEN_REVIEW = frozenset({ReviewStatus.PENDING, ReviewStatus.INSPECT, ReviewStatus.HOLD})


class Decision(StrEnum):
    """What an officer (or a rule) decides on a review."""

    APPROVE = "approve"
    INSPECT = "inspect"
    HOLD = "hold"
    REJECT = "reject"

    @property
    def status(self) -> ReviewStatus:
        return {
            Decision.APPROVE: ReviewStatus.APPROVED,
            Decision.INSPECT: ReviewStatus.INSPECT,
            Decision.HOLD: ReviewStatus.HOLD,
            Decision.REJECT: ReviewStatus.REJECTED,
        }[self]


class Phase(StrEnum):
    """A port call is reviewed twice, for entry and for departure; a declaration once, for its
    cargo."""

    ENTRY = "entry"
    DEPARTURE = "departure"
    CARGO = "cargo"
