"""The shape of every agency's rules: a rule looks at one subject and may hit; a versioned rule set
evaluates all its rules and decides by itself when it can.

Rule logic is code; what a port tunes (watch lists, epidemic ports, thresholds, which rules are on)
is the rule set's parameters, stored with a version so each decision names the exact set it used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from kouan.domain.agency import Agency, Decision, Phase, ReviewStatus
from kouan.domain.filing import ArrivalNotice, DepartureNotice


class Action(IntEnum):
    """What a hit asks for, strongest last: the strongest hit decides the review."""

    REFER = 1  # leave it to an officer (the review waits in the agency's queue)
    INSPECT = 2  # order an inspection, e.g. boarding quarantine
    HOLD = 3  # hold the ship or a person
    REJECT = 4


ACTION_STATUS = {
    Action.REFER: ReviewStatus.PENDING,
    Action.INSPECT: ReviewStatus.INSPECT,
    Action.HOLD: ReviewStatus.HOLD,
    Action.REJECT: ReviewStatus.REJECTED,
}


@dataclass(frozen=True)
class Subject:
    """What the rules look at: the arrival notice, the departure when filed, and known facts."""

    arrival: ArrivalNotice
    phase: Phase
    now: datetime
    departure: DepartureNotice | None = None
    ship_detentions: int = 0  # detentions on record for this ship (port State control)


# Documents and certificates expire by calendar date, which is the date at the port; a rule set
# may name another zone in its "time_zone" parameter.
PORT_TIME_ZONE = "Asia/Shanghai"
PORT_ZONE = ZoneInfo(PORT_TIME_ZONE)


def port_date(moment: datetime, params: Mapping[str, Any]) -> date:
    """The calendar date of `moment` at the port, to compare with an expiry date."""
    return moment.astimezone(ZoneInfo(params.get("time_zone", PORT_TIME_ZONE))).date()


# A check returns None when the rule does not hit, else the reason (English, for the record).
Check = Callable[[Subject, Mapping[str, Any]], str | None]


def codes(values: Iterable[object]) -> frozenset[str]:
    """Parameter codes (UN/LOCODEs, countries) as filings hold them: "cn sha" -> "CNSHA"."""
    return frozenset("".join(str(v).split()).upper() for v in values)


def raised_security_level(subject: Subject, params: Mapping[str, Any]) -> str | None:
    """A check several agencies use: the ISPS level is at least params["refer_security_level"]."""
    level = subject.arrival.security_level
    if level >= int(params["refer_security_level"]):
        return f"security_level: the ship operates at ISPS security level {level}"
    return None


@dataclass(frozen=True)
class Rule:
    code: str  # stable, e.g. "CIQ-ILL-ABOARD"
    title: str  # English
    title_zh: str
    action: Action
    check: Check
    phases: frozenset[Phase] = frozenset({Phase.ENTRY})


@dataclass(frozen=True)
class Hit:
    code: str
    action: Action
    reason: str


@dataclass(frozen=True)
class Outcome:
    """A rule set's verdict on one subject."""

    status: ReviewStatus  # APPROVED when nothing hit; else the strongest hit's status
    hits: tuple[Hit, ...]
    rule_set: str  # e.g. "CIQ v3"

    @property
    def decided(self) -> bool:
        """True when the rules settled the review without an officer (approve or an order)."""
        return self.status is not ReviewStatus.PENDING

    @property
    def rules_hit(self) -> list[str]:
        return [h.code for h in self.hits]

    @property
    def reason(self) -> str:
        return "; ".join(h.reason for h in self.hits)

    @property
    def decision(self) -> Decision | None:
        return {
            ReviewStatus.APPROVED: Decision.APPROVE,
            ReviewStatus.INSPECT: Decision.INSPECT,
            ReviewStatus.HOLD: Decision.HOLD,
            ReviewStatus.REJECTED: Decision.REJECT,
        }.get(self.status)


@dataclass(frozen=True)
class RuleSet:
    """One agency's rules at one version with their parameters."""

    agency: Agency
    version: int
    rules: tuple[Rule, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.agency.value} v{self.version}"

    def evaluate(self, subject: Subject) -> Outcome:
        hits = []
        for rule in self.rules:
            if rule.code in self.disabled or subject.phase not in rule.phases:
                continue
            reason = rule.check(subject, self.params)
            if reason is not None:
                hits.append(Hit(rule.code, rule.action, reason))
        if not hits:
            return Outcome(ReviewStatus.APPROVED, (), self.label)
        strongest = max(h.action for h in hits)
        return Outcome(ACTION_STATUS[strongest], tuple(hits), self.label)
