"""Maritime safety (海事): dangerous goods, the ship's record, security and the planned stay.

Every rule here refers the call to an officer; none decides alone, because the officer issues the
entry and departure permits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import DangerousGood
from kouan.rules.base import Action, Rule, Subject, raised_security_level

DEFAULT_PARAMS: dict[str, Any] = {
    # IMDG classes ("1") or divisions ("6.2") an officer always sees: explosives and radioactive.
    "officer_classes": [1, 7],
    "refer_detentions": 1,  # detentions on record from which the ship is referred
    "refer_security_level": 2,
    "max_stay_days": 30,
}


def _goods(subject: Subject) -> list[DangerousGood]:
    """Dangerous goods of the phase: on departure the departure's when filed."""
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.dangerous_goods
    return subject.arrival.dangerous_goods


def _officer_class(subject: Subject, params: Mapping[str, Any]) -> str | None:
    classes = {str(c).strip() for c in params["officer_classes"]}
    found = [
        f"{g.un_number} {g.proper_shipping_name} (class {g.imdg_class}, {g.quantity_kg:g} kg)"
        for g in _goods(subject)
        if g.imdg_class in classes or str(g.main_class) in classes
    ]
    if not found:
        return None
    return f"dangerous goods of a class an officer must see: {'; '.join(found)}"


def _detentions(subject: Subject, params: Mapping[str, Any]) -> str | None:
    count = subject.ship_detentions
    if count >= int(params["refer_detentions"]):
        return f"ship IMO {subject.arrival.ship.imo} has {count} detention(s) on record"
    return None


def _stay(subject: Subject, params: Mapping[str, Any]) -> str | None:
    stay = subject.arrival.etd - subject.arrival.eta
    limit = float(params["max_stay_days"])
    if stay > timedelta(days=limit):
        days = stay / timedelta(days=1)
        return (
            f"eta {subject.arrival.eta.isoformat()} to etd {subject.arrival.etd.isoformat()} "
            f"is a stay of {days:.1f} days, more than {limit:g}"
        )
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "MSA-DG-OFFICER-CLASS",
        "Dangerous goods an officer must see",
        "须人工审核的危险货物",
        Action.REFER,
        _officer_class,
        frozenset({Phase.ENTRY, Phase.DEPARTURE}),
    ),
    Rule(
        "MSA-DETENTION-RECORD",
        "Ship detained before",
        "船舶有滞留记录",
        Action.REFER,
        _detentions,
    ),
    Rule(
        "MSA-SECURITY-LEVEL",
        "Raised ship security level",
        "船舶保安等级提高",
        Action.REFER,
        raised_security_level,
    ),
    Rule(
        "MSA-STAY-IMPLAUSIBLE",
        "Implausibly long stay in port",
        "在港时间异常",
        Action.REFER,
        _stay,
    ),
)
