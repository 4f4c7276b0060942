"""The shape of every agency's rules, whatever they review: a rule looks at the facts of one
subject (a port call, a declaration, a passenger list...) and may hit; a versioned rule set
evaluates all its rules and decides by itself when it can.

Rule logic is code; what a port tunes (watch lists, epidemic ports, thresholds, which rules are on)
is the rule set's parameters, stored with a version so each decision names the exact set it used.
A hit says why as a message key with parameters (`Reason`), and may name what inside the subject it
concerns (its target: a person on a list, a container, a line item).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from functools import cached_property
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from kouan.domain.agency import Agency, Decision, Phase, ReviewStatus
from kouan.domain.reasons import Reason
from kouan.site import PORT_TIME_ZONE


class Action(IntEnum):
    """What a hit asks for, strongest last: the strongest hit decides the review."""

    APPROVE = 0  # release without checks (e.g. a trusted trader's goods)
    REFER = 1  # leave it to an officer (the review waits in the agency's queue)
    INSPECT = 2  # order an inspection, e.g. boarding quarantine
    HOLD = 3  # hold the ship or a person
    REJECT = 4


ACTION_STATUS = {
    Action.APPROVE: ReviewStatus.APPROVED,
    Action.REFER: ReviewStatus.PENDING,
    Action.INSPECT: ReviewStatus.INSPECT,
    Action.HOLD: ReviewStatus.HOLD,
    Action.REJECT: ReviewStatus.REJECTED,
}


def port_date(moment: datetime, params: Mapping[str, Any]) -> date:
    """The calendar date of `moment` at the port, to compare with an expiry date."""
    return moment.astimezone(ZoneInfo(params.get("time_zone", PORT_TIME_ZONE))).date()


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: why, and what inside the subject it concerns (None: the whole)."""

    reason: Reason
    target: str | None = None


def found(key: str, target: str | None = None, **params: Any) -> Finding:
    return Finding(Reason(key, params), target)


@dataclass(frozen=True)
class WatchHit:
    """A watch-list entry a person matched, as the screening found it (kouan.services.screening):
    the rules decide what a score is worth, the screening only finds and explains."""

    entry_id: str
    score: float
    reason: Reason


def best_hit(hits: Iterable[WatchHit], threshold: float) -> WatchHit | None:
    """The strongest hit at or above `threshold`, or None."""
    return max((h for h in hits if h.score >= threshold), key=lambda h: h.score, default=None)


# A check returns what it found (nothing when the rule does not hit).
Check = Callable[[Any, Mapping[str, Any]], Iterable[Finding]]


def codes(values: Iterable[object]) -> frozenset[str]:
    """Parameter codes (UN/LOCODEs, countries) as filings hold them: "cn sha" -> "CNSHA"."""
    return frozenset("".join(str(v).split()).upper() for v in values)


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
    reason: Reason
    target: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stored form of a hit, as reviews keep it."""
        return {
            "code": self.code,
            "action": self.action.name.lower(),
            "reason_key": self.reason.key,
            "reason_params": self.reason.as_dict()["params"],
            "target": self.target,
        }


@dataclass(frozen=True)
class Outcome:
    """A rule set's verdict on one subject."""

    status: ReviewStatus  # APPROVED when nothing hit; else the strongest hit's status
    hits: tuple[Hit, ...]
    rule_set: str  # e.g. "CIQ v3"
    # The review's reason when not the hits' reasons joined (e.g. the lane of a declaration).
    summary: Reason | None = None

    @property
    def decided(self) -> bool:
        """True when the rules settled the review without an officer (approve or an order)."""
        return self.status is not ReviewStatus.PENDING

    @property
    def rules_hit(self) -> list[str]:
        """The codes of the rules that hit, each once, in rule-set order."""
        return list(dict.fromkeys(h.code for h in self.hits))

    @property
    def why(self) -> Reason | None:
        """The review's reason: the summary, or the hits' reasons joined (None: nothing hit)."""
        if self.summary is not None:
            return self.summary
        return Reason.joined([h.reason for h in self.hits]) if self.hits else None

    @property
    def reason(self) -> str:
        """The reason in English, as the record keeps it beside its key."""
        why = self.why
        return why.text if why else ""

    @cached_property
    def record(self) -> dict[str, Any]:
        """What a review keeps of this verdict (its reason as text and as key and parameters,
        the rules and each hit), made once however many reviews it decides."""
        why = self.why
        return {
            "reason": why.text if why else "",
            "reason_key": why.key if why else None,
            "reason_params": why.as_dict()["params"] if why else None,
            "rules_hit": self.rules_hit,
            "hits": [hit.as_dict() for hit in self.hits],
        }

    @property
    def decision(self) -> Decision | None:
        return {
            ReviewStatus.APPROVED: Decision.APPROVE,
            ReviewStatus.INSPECT: Decision.INSPECT,
            ReviewStatus.HOLD: Decision.HOLD,
            ReviewStatus.REJECTED: Decision.REJECT,
        }.get(self.status)


class Evaluator(Protocol):
    """What the review engine needs of any rule set: its label and a verdict on facts."""

    @property
    def label(self) -> str: ...

    def evaluate(self, facts: Any, phase: Phase) -> Outcome: ...


def outcome_of(hits: list[Hit], label: str, summary: Reason | None = None) -> Outcome:
    """The verdict of these hits: approved when there are none, else the strongest action's."""
    if not hits:
        return Outcome(ReviewStatus.APPROVED, (), label, summary)
    strongest = max(h.action for h in hits)
    return Outcome(ACTION_STATUS[strongest], tuple(hits), label, summary)


@dataclass(frozen=True)
class RuleSet:
    """One agency's rules for one kind of subject at one version, with their parameters."""

    subject_kind: str
    agency: Agency
    version: int
    rules: tuple[Rule, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.agency.value} v{self.version}"

    def evaluate(self, facts: Any, phase: Phase) -> Outcome:
        hits = [
            Hit(rule.code, rule.action, finding.reason, finding.target)
            for rule in self.rules
            if rule.code not in self.disabled and phase in rule.phases
            for finding in rule.check(facts, self.params)
        ]
        return outcome_of(hits, self.label)
