"""The rules of a person list (passengers or crew of a flight, a cruise or a ship), person by
person: each finding names its person as the target `persons[N]` (N the person's place in the
list, from 1), so that a list of 300 is settled person by person and a queue shows the one referred.

Border inspection refers watch-list matches and persons without a valid travel document or visa;
inspection and quarantine refers travellers with fever or symptoms, or who stayed in an epidemic
alert's area within its incubation period.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stdnum.cn import ric

from kouan.domain import health, reasons
from kouan.domain.health import EpidemicAlert, HealthDeclaration, Stay
from kouan.domain.person_list import Direction, ListedPerson, Role
from kouan.domain.reasons import Reason
from kouan.rules.base import Action, Finding, Rule, WatchHit, best_hit, found

TEMPLATES: dict[str, str] = {
    "list.person": "{role} {name} (no. {seq})",
    "border.list_watch": "{person} matches watch-list entry {entry} ({score}): {hit}",
    "border.list_no_document": "{person}: no travel document given",
    "border.list_no_expiry": "{person}: document {number} without an expiry date",
    "border.list_expired": "{person}: document {number} expired on {expiry}, before {day}",
    "border.list_check_digit": (
        "{person}: document {number} fails the check digit of a {scheme} number"
    ),
    "border.list_visa": "{person}: a national of {country} needs a visa, and none was listed",
    "ciq.list_health": "{person}: {reasons}",
    "scheme.cn_ric": "resident identity card",
    "list.no_arrival_time": "the list gives no arrival time at this port (TDT, LOC, DTM)",
    "list.no_departure_time": "the list gives no departure time from this port (TDT, LOC, DTM)",
}


def register_templates() -> None:
    reasons.register(TEMPLATES)


# Nationalities that enter China without a visa for a short stay (unilateral or mutual waivers
# as of 2026); a port edits the list as policy changes. Chinese citizens and residents of Hong
# Kong, Macao and Taiwan travel on documents of their own and are not asked for a visa.
VISA_EXEMPT = [
    "AD", "AE", "AR", "AT", "AU", "BE", "BG", "BH", "BN", "BR", "BS", "CH", "CL", "CY", "DE",
    "DK", "EE", "ES", "FI", "FR", "GB", "GE", "GR", "HR", "HU", "IE", "IS", "IT", "JP", "KR",
    "KW", "KZ", "LI", "LT", "LU", "LV", "MC", "ME", "MK", "MT", "MU", "MV", "MY", "NL", "NO",
    "NZ", "OM", "PE", "PL", "PT", "QA", "RO", "RS", "RU", "SA", "SE", "SG", "SI", "SK", "SM",
    "TH", "UY", "UZ",
]  # fmt: skip
_OWN_DOCUMENTS = frozenset({"CN", "HK", "MO", "TW"})
# Document types that are visas (PAXLST DOC 1001: V visa; some airlines send VI).
_VISAS = frozenset({"V", "VI"})

BORDER_PARAMS: dict[str, Any] = {
    "visa_exempt": VISA_EXEMPT,
    # A name match scores 0..1; the matcher's own threshold decides a hit, this one a referral.
    "watch_threshold": 0.85,
}
CIQ_PARAMS: dict[str, Any] = {
    "fever_at": health.FEVER_AT,
    # A stay in an alert area (declared or on the journey) refers everyone only at this level
    # or above; below it, only the unwell (a whole flight from a level-2 area is not referred).
    "route_level": 4,
}


@dataclass(frozen=True)
class ListFacts:
    """What the rules see of a list: its persons (in order), each one's watch-list hits and
    health declaration by place in the list, and the journey."""

    persons: Sequence[ListedPerson]
    direction: Direction
    day: date  # of arrival or departure at the port
    hits: Mapping[int, Sequence[WatchHit]] = field(default_factory=dict)
    health: Mapping[int, HealthDeclaration] = field(default_factory=dict)
    route: Sequence[Stay] = ()
    alerts: Sequence[EpidemicAlert] = ()


def target(seq: int) -> str:
    return f"persons[{seq}]"


def seq_of(target_name: str) -> int:
    """The place in the list a target names ("persons[12]" -> 12)."""
    return int(target_name.removeprefix("persons[").rstrip("]"))


def describe(seq: int, person: ListedPerson) -> Reason:
    return Reason(
        "list.person",
        {"role": Reason(f"role.{_role(person)}"), "name": person.full_name, "seq": seq},
    )


def _role(person: ListedPerson) -> str:
    return "crew" if person.role is Role.CREW else "passenger"


def _each(facts: ListFacts) -> Iterator[tuple[int, ListedPerson]]:
    return enumerate(facts.persons, start=1)


# --- border inspection ------------------------------------------------------------------------


def _watch_list(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    threshold = float(params["watch_threshold"])
    for seq, person in _each(facts):
        best = best_hit(facts.hits.get(seq, ()), threshold)
        if best is not None:
            yield found(
                "border.list_watch",
                target(seq),
                person=describe(seq, person),
                entry=best.entry_id,
                score=f"{best.score:.2f}",
                hit=best.reason,
            )


def _no_document(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for seq, person in _each(facts):
        document = person.travel_document()
        if document is None or not document.number:
            yield found("border.list_no_document", target(seq), person=describe(seq, person))


def _no_expiry(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for seq, person in _each(facts):
        document = person.travel_document()
        if document is not None and document.number and document.expiry is None:
            yield found(
                "border.list_no_expiry",
                target(seq),
                person=describe(seq, person),
                number=document.number,
            )


def _expired(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for seq, person in _each(facts):
        document = person.travel_document()
        if document is not None and document.expiry is not None and document.expiry < facts.day:
            yield found(
                "border.list_expired",
                target(seq),
                person=describe(seq, person),
                number=document.number or "",
                expiry=document.expiry.isoformat(),
                day=facts.day.isoformat(),
            )


def _check_digit(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """Only where the number carries a check digit Kouan knows: the 18-character resident
    identity card of the mainland (GB 11643), which crews and some travellers list."""
    for seq, person in _each(facts):
        for document in person.documents:
            number = (document.number or "").strip()
            if document.issuing_state == "CN" and len(number) == 18 and not ric.is_valid(number):
                yield found(
                    "border.list_check_digit",
                    target(seq),
                    person=describe(seq, person),
                    number=number,
                    scheme=Reason("scheme.cn_ric"),
                )


def _visa(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """Arriving passengers of a nationality without a waiver need a visa among their documents;
    crews enter on crew documents, and transit passengers stay airside."""
    if facts.direction is not Direction.ARRIVING:
        return
    exempt = frozenset(params["visa_exempt"]) | _OWN_DOCUMENTS
    for seq, person in _each(facts):
        nationality = person.nationality
        if person.role is not Role.PASSENGER or person.transit or nationality is None:
            continue
        if nationality not in exempt and not any(
            d.type.upper() in _VISAS for d in person.documents
        ):
            yield found(
                "border.list_visa", target(seq), person=describe(seq, person), country=nationality
            )


BORDER_RULES: tuple[Rule, ...] = (
    Rule("BORDER-LIST-WATCH", "Watch-list match", "布控名单命中", Action.REFER, _watch_list),
    Rule("BORDER-LIST-NO-DOCUMENT", "No travel document", "无旅行证件", Action.REFER, _no_document),
    Rule(
        "BORDER-LIST-NO-EXPIRY", "Document without expiry", "证件无有效期", Action.REFER, _no_expiry
    ),
    Rule("BORDER-LIST-EXPIRED", "Document expired", "证件已过期", Action.REFER, _expired),
    Rule(
        "BORDER-LIST-CHECK-DIGIT",
        "Check digit fails",
        "证件号码校验位错误",
        Action.REFER,
        _check_digit,
    ),
    Rule("BORDER-LIST-VISA", "Visa required", "须持签证", Action.REFER, _visa),
)


# --- inspection and quarantine ----------------------------------------------------------------


def _health(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    fever_at = float(params["fever_at"])
    route_level = int(params["route_level"])
    for seq, person in _each(facts):
        declaration = facts.health.get(seq)
        found_reasons = _health_reasons(declaration, facts, fever_at, route_level)
        if found_reasons:
            yield found(
                "ciq.list_health",
                target(seq),
                person=describe(seq, person),
                reasons=found_reasons,
            )


def _health_reasons(
    declaration: HealthDeclaration | None, facts: ListFacts, fever_at: float, route_level: int
) -> list[Reason]:
    """Fever, symptoms and contact with the ill refer a traveller; a stay in an alert's area
    within its incubation period (declared, or a stop of the journey) refers the unwell, and
    everyone where the area's level is `route_level` or above (as travellers from Mexico were
    quarantined in 2009): a whole flight from a watched area is not referred for its route."""
    declared = declaration or HealthDeclaration(person_id=0)
    unwell = [
        r
        for r in (
            health.fever(declared, fever_at),
            health.symptoms(declared),
            health.ill_contact(declared),
        )
        if r is not None
    ]
    stays = [
        *health.alert_area_stays(
            declared.stays, facts.day, facts.alerts, "health.alert_area_visited"
        ),
        *health.alert_area_stays(facts.route, facts.day, facts.alerts, "health.alert_area_route"),
    ]
    return [*unwell, *(r for r in stays if unwell or int(r.params["level"]) >= route_level)]


CIQ_RULES: tuple[Rule, ...] = (
    Rule("CIQ-LIST-HEALTH", "Health referral", "健康申报异常", Action.REFER, _health),
)
