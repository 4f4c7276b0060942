"""Maritime safety (海事): dangerous goods, the ship's record, security and the planned stay.

Every rule here refers the call to an officer; none decides alone, because the officer issues the
entry and departure permits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import DangerousGood
from kouan.rules.base import Action, Finding, Rule, found
from kouan.rules.portcall import CallFacts, raised_security_level

DEFAULT_PARAMS: dict[str, Any] = {
    # IMDG classes ("1") or divisions ("6.2") an officer always sees: explosives and radioactive.
    "officer_classes": [1, 7],
    "refer_detentions": 1,  # detentions on record from which the ship is referred
    "refer_security_level": 2,
    "max_stay_days": 30,
}


def _goods(subject: CallFacts) -> list[DangerousGood]:
    """Dangerous goods of the phase: on departure the departure's when filed."""
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.dangerous_goods
    return subject.arrival.dangerous_goods


def _officer_class(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    classes = {str(c).strip() for c in params["officer_classes"]}
    for n, g in enumerate(_goods(subject)):
        if g.imdg_class in classes or str(g.main_class) in classes:
            yield found(
                "msa.officer_class",
                f"dangerous_goods[{n}]",
                un_number=g.un_number,
                name=g.proper_shipping_name,
                imdg_class=g.imdg_class,
                kg=f"{g.quantity_kg:g}",
            )


def _detentions(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    count = subject.ship_detentions
    if count >= int(params["refer_detentions"]):
        yield found("msa.detentions", "ship", imo=subject.arrival.ship.imo, count=count)


def _stay(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    stay = subject.arrival.etd - subject.arrival.eta
    limit = float(params["max_stay_days"])
    if stay > timedelta(days=limit):
        yield found(
            "msa.stay",
            eta=subject.arrival.eta.isoformat(),
            etd=subject.arrival.etd.isoformat(),
            days=f"{stay / timedelta(days=1):.1f}",
            limit=f"{limit:g}",
        )


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
