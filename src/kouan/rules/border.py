"""Border inspection (边防检查): the people aboard on entry and on departure.

Watch-list matches and invalid travel documents hold the ship; a missing crew list, a person
without a travel document or with one whose expiry is not declared, a document declared twice, a
crew change and the highest security level go to an officer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import Person
from kouan.domain.reasons import Reason
from kouan.rules.base import Action, Finding, Rule, best_hit, found, port_date
from kouan.rules.portcall import CallFacts, aboard, raised_security_level
from kouan.site import PORT_TIME_ZONE

BOTH_PHASES = frozenset({Phase.ENTRY, Phase.DEPARTURE})

DEFAULT_PARAMS: dict[str, Any] = {
    # The watch list is border inspection's own versioned store (kouan.services.passengers.
    # watchlist), screened by the same matcher as flights and cruises; a name match scores 0..1
    # and this threshold makes it hold the ship (lists have their own, `watch_threshold`).
    "ship_watch_threshold": 0.85,
    "refer_security_level": 3,
    "time_zone": PORT_TIME_ZONE,
}


def _document_key(person: Person) -> tuple[str, str]:
    """A person's travel document as compared between lists (spaces are typing noise); a person
    without one stands for themselves."""
    document = person.document
    if document is None:
        born = person.date_of_birth.isoformat()
        return "", f"{person.family_name}|{person.given_names}|{born}".casefold()
    return "".join(document.number.split()).casefold(), document.issuing_state.casefold()


def _describe(role: str, person: Person) -> Reason:
    doc = person.document
    if doc is None:
        return Reason(
            "person.no_document", {"role": Reason(f"role.{role}"), "name": person.full_name}
        )
    return Reason(
        "person",
        {
            "role": Reason(f"role.{role}"),
            "name": person.full_name,
            "document": doc.number,
            "state": doc.issuing_state,
        },
    )


def _etd(subject: CallFacts) -> datetime:
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.etd
    return subject.arrival.etd


def _watch_list(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if not subject.hits:
        return  # nobody aboard matched anyone: the common case
    threshold = float(params["ship_watch_threshold"])
    for role, target, person in aboard(subject):
        best = best_hit(subject.hits.get(target, ()), threshold)
        if best is not None:
            yield found(
                "border.watch_list",
                target,
                person=_describe(role, person),
                entry=best.entry_id,
                score=f"{best.score:.2f}",
                hit=best.reason,
            )


def _document_expired(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    departure_day = port_date(_etd(subject), params)
    for role, target, person in aboard(subject):
        expiry = person.document.expiry if person.document else None
        if expiry is not None and expiry < departure_day:
            yield found(
                "border.document_expired",
                target,
                person=_describe(role, person),
                expiry=expiry.isoformat(),
                day=departure_day.isoformat(),
            )


def _no_document(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """A person a carrier listed without a travel document: an officer sees them."""
    for role, target, person in aboard(subject):
        if person.document is None:
            yield found("border.no_document", target, person=_describe(role, person))


def _no_expiry(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """A document whose expiry was not declared cannot be judged valid: an officer checks it."""
    for role, target, person in aboard(subject):
        if person.document is not None and person.document.expiry is None:
            yield found("border.no_expiry", target, person=_describe(role, person))


def _duplicate_document(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    seen: dict[tuple[str, str], tuple[str, Person]] = {}
    for role, target, person in aboard(subject):
        if person.document is None:
            continue  # nothing to declare twice
        key = _document_key(person)
        if key in seen:
            yield found(
                "border.duplicate_document",
                target,
                person=_describe(role, person),
                other=_describe(*seen[key]),
            )
        else:
            seen[key] = (role, person)


def _crew_missing(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if not subject.arrival.crew:
        yield found("border.no_crew_list", "crew")


def _crew_change(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if subject.departure is None or subject.departure.crew is None:
        return
    arrived = {_document_key(p) for p in subject.arrival.crew}
    leaving = {_document_key(p) for p in subject.departure.crew}
    for n, person in enumerate(subject.departure.crew):
        if _document_key(person) not in arrived:
            yield found("border.crew_change", f"crew[{n}]", person=_describe("signing_on", person))
    for person in subject.arrival.crew:
        if _document_key(person) not in leaving:
            yield found("border.crew_change", None, person=_describe("signing_off", person))


RULES: tuple[Rule, ...] = (
    Rule(
        "BORDER-WATCH-LIST",
        "Person on the watch list",
        "人员在布控名单上",
        Action.HOLD,
        _watch_list,
        BOTH_PHASES,
    ),
    Rule(
        "BORDER-DOCUMENT-EXPIRED",
        "Travel document expires before departure",
        "证件在离港前到期",
        Action.HOLD,
        _document_expired,
        BOTH_PHASES,
    ),
    Rule(
        "BORDER-NO-DOCUMENT",
        "Person without a travel document",
        "人员未申报旅行证件",
        Action.REFER,
        _no_document,
        BOTH_PHASES,
    ),
    Rule(
        "BORDER-NO-EXPIRY",
        "Travel document without an expiry date",
        "旅行证件未申报有效期",
        Action.REFER,
        _no_expiry,
        BOTH_PHASES,
    ),
    Rule(
        "BORDER-DUPLICATE-DOCUMENT",
        "Same travel document declared twice",
        "同一证件重复申报",
        Action.REFER,
        _duplicate_document,
        BOTH_PHASES,
    ),
    Rule("BORDER-NO-CREW-LIST", "No crew list", "未申报船员名单", Action.REFER, _crew_missing),
    Rule(
        "BORDER-CREW-CHANGE",
        "Crew change at this port",
        "船员在本港换班",
        Action.REFER,
        _crew_change,
        frozenset({Phase.DEPARTURE}),
    ),
    Rule(
        "BORDER-SECURITY-LEVEL",
        "High ship security level",
        "船舶保安等级高",
        Action.REFER,
        raised_security_level,
    ),
)
