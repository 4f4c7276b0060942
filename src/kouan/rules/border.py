"""Border inspection (边防检查): the people aboard on entry and on departure.

Watch-list matches and invalid travel documents hold the ship; a missing crew list, a person
without a travel document or with one whose expiry is not declared, a document declared twice, a
crew change and the highest security level go to an officer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.errors import FieldErrors
from kouan.domain.filing import Person
from kouan.domain.identifiers import validate_country
from kouan.domain.reasons import Reason
from kouan.rules.base import Action, Finding, Rule, found, port_date
from kouan.rules.portcall import CallFacts, raised_security_level
from kouan.site import PORT_TIME_ZONE

BOTH_PHASES = frozenset({Phase.ENTRY, Phase.DEPARTURE})

DEFAULT_PARAMS: dict[str, Any] = {
    # Each entry names a document ({"document_number", "issuing_state"}) or a person
    # ({"family_name", "given_names", "date_of_birth": "YYYY-MM-DD"}), or both.
    "watch_list": [],
    "refer_security_level": 3,
    "time_zone": PORT_TIME_ZONE,
}


def _text(value: object) -> str:
    """Case-insensitive, whitespace-normalised text for matching names and states."""
    return " ".join(str(value).split()).casefold()


def _document_key(number: object, state: object) -> tuple[str, str]:
    # Spaces inside a document number are only ever typing noise.
    return "".join(str(number).split()).casefold(), _text(state)


def _identity_key(family: object, given: object, born: object) -> tuple[str, ...]:
    return _text(family), _text(given), _text(born)


def _person_document(person: Person) -> tuple[str, str]:
    document = person.document
    if document is None:
        # No document to match: the person stands for themselves (no number is "").
        return "", "|".join(_person_identity(person))
    return _document_key(document.number, document.issuing_state)


def _person_identity(person: Person) -> tuple[str, ...]:
    return _identity_key(person.family_name, person.given_names, person.date_of_birth.isoformat())


_BY_DOCUMENT = ("document_number", "issuing_state")
_BY_PERSON = ("family_name", "date_of_birth")
_ENTRY_EXPECTED = "document_number and issuing_state, or family_name, given_names and date_of_birth"


@dataclass(frozen=True)
class WatchList:
    """The watch list as match keys."""

    documents: frozenset[tuple[str, str]]
    identities: frozenset[tuple[str, ...]]

    def match(self, person: Person) -> str | None:
        """How `person` matches the list (the reason key "match.document" or
        "match.identity"), or None."""
        if _person_document(person) in self.documents:
            return "match.document"
        if _person_identity(person) in self.identities:
            return "match.identity"
        return None


def _names(entry: object, keys: tuple[str, ...]) -> bool:
    return isinstance(entry, Mapping) and all(entry.get(key) for key in keys)


def _document_entry(entry: Mapping[str, Any], where: str, errors: FieldErrors) -> tuple[str, str]:
    state = entry["issuing_state"]
    try:
        # Canonical alpha-2 as in filings, so that "PHL" on the list matches "PH" on a passport.
        state = validate_country(state)
    except ValueError as error:
        errors.add(f"{where}.issuing_state", state, str(error))
    return _document_key(entry["document_number"], state)


def _person_entry(entry: Mapping[str, Any], where: str, errors: FieldErrors) -> tuple[str, ...]:
    born = str(entry["date_of_birth"]).strip()
    try:
        born = date.fromisoformat(born).isoformat()
    except ValueError:
        errors.add(f"{where}.date_of_birth", born, "a date YYYY-MM-DD")
    return _identity_key(entry["family_name"], entry.get("given_names", ""), born)


def parse_watch_list(entries: Sequence[Mapping[str, Any]]) -> WatchList:
    """The watch list from its parameter; ValidationFailed names each entry that matches nobody."""
    errors = FieldErrors()
    documents, identities = set(), set()
    for n, entry in enumerate(entries):
        where = f"params.watch_list[{n}]"
        if _names(entry, _BY_DOCUMENT):
            documents.add(_document_entry(entry, where, errors))
        if _names(entry, _BY_PERSON):
            identities.add(_person_entry(entry, where, errors))
        if not (_names(entry, _BY_DOCUMENT) or _names(entry, _BY_PERSON)):
            errors.add(where, entry, _ENTRY_EXPECTED)
    errors.raise_if_any("watch list")
    return WatchList(frozenset(documents), frozenset(identities))


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


def _lists(subject: CallFacts) -> tuple[list[Person], list[Person]]:
    """Crew and passengers of the phase: on departure the departure's lists where filed."""
    crew, passengers = subject.arrival.crew, subject.arrival.passengers
    departure = subject.departure
    if subject.phase is Phase.DEPARTURE and departure is not None:
        crew = crew if departure.crew is None else departure.crew
        passengers = passengers if departure.passengers is None else departure.passengers
    return crew, passengers


def _aboard(subject: CallFacts) -> list[tuple[str, str, Person]]:
    """Everyone aboard in the phase: (role, target, person), the target naming their list entry."""
    crew, passengers = _lists(subject)
    return [("crew", f"crew[{n}]", p) for n, p in enumerate(crew)] + [
        ("passenger", f"passengers[{n}]", p) for n, p in enumerate(passengers)
    ]


def _etd(subject: CallFacts) -> datetime:
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.etd
    return subject.arrival.etd


def _watch_list(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if not params["watch_list"]:
        return  # nobody to look for: the common case, and every filing asks
    watch = parse_watch_list(params["watch_list"])
    for role, target, person in _aboard(subject):
        how = watch.match(person)
        if how is not None:
            yield found(
                "border.watch_list", target, person=_describe(role, person), how=Reason(how)
            )


def _document_expired(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    departure_day = port_date(_etd(subject), params)
    for role, target, person in _aboard(subject):
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
    for role, target, person in _aboard(subject):
        if person.document is None:
            yield found("border.no_document", target, person=_describe(role, person))


def _no_expiry(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """A document whose expiry was not declared cannot be judged valid: an officer checks it."""
    for role, target, person in _aboard(subject):
        if person.document is not None and person.document.expiry is None:
            yield found("border.no_expiry", target, person=_describe(role, person))


def _duplicate_document(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    seen: dict[tuple[str, str], tuple[str, Person]] = {}
    for role, target, person in _aboard(subject):
        if person.document is None:
            continue  # nothing to declare twice
        key = _person_document(person)
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
    arrived = {_person_document(p) for p in subject.arrival.crew}
    leaving = {_person_document(p) for p in subject.departure.crew}
    for n, person in enumerate(subject.departure.crew):
        if _person_document(person) not in arrived:
            yield found("border.crew_change", f"crew[{n}]", person=_describe("signing_on", person))
    for person in subject.arrival.crew:
        if _person_document(person) not in leaving:
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
