"""Border inspection (边防检查): the people aboard on entry and on departure.

Watch-list matches and invalid travel documents hold the ship; a missing crew list, a document
declared twice, a crew change and the highest security level go to an officer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.errors import FieldErrors
from kouan.domain.filing import Person
from kouan.domain.identifiers import validate_country
from kouan.rules.base import (
    PORT_TIME_ZONE,
    Action,
    Rule,
    Subject,
    port_date,
    raised_security_level,
)

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
    return _document_key(person.document.number, person.document.issuing_state)


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
        """How `person` matches the list ("document", "name and date of birth"), or None."""
        if _person_document(person) in self.documents:
            return "document"
        if _person_identity(person) in self.identities:
            return "name and date of birth"
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


def _describe(role: str, person: Person) -> str:
    doc = person.document
    return f"{role} {person.full_name} (document {doc.number}, {doc.issuing_state})"


def _lists(subject: Subject) -> tuple[list[Person], list[Person]]:
    """Crew and passengers of the phase: on departure the departure's lists where filed."""
    crew, passengers = subject.arrival.crew, subject.arrival.passengers
    departure = subject.departure
    if subject.phase is Phase.DEPARTURE and departure is not None:
        crew = crew if departure.crew is None else departure.crew
        passengers = passengers if departure.passengers is None else departure.passengers
    return crew, passengers


def _aboard(subject: Subject) -> list[tuple[str, Person]]:
    crew, passengers = _lists(subject)
    return [("crew member", p) for p in crew] + [("passenger", p) for p in passengers]


def _etd(subject: Subject) -> datetime:
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.etd
    return subject.arrival.etd


def _joined(found: Iterable[str]) -> str | None:
    return "; ".join(found) or None


def _watch_list(subject: Subject, params: Mapping[str, Any]) -> str | None:
    watch = parse_watch_list(params["watch_list"])
    return _joined(
        f"{_describe(role, person)} matches the watch list by {how}"
        for role, person in _aboard(subject)
        if (how := watch.match(person)) is not None
    )


def _document_expired(subject: Subject, params: Mapping[str, Any]) -> str | None:
    departure_day = port_date(_etd(subject), params)
    return _joined(
        f"{_describe(role, person)}: document expires {person.document.expiry}, "
        f"before ETD {departure_day}"
        for role, person in _aboard(subject)
        if person.document.expiry < departure_day
    )


def _duplicate_document(subject: Subject, params: Mapping[str, Any]) -> str | None:
    seen: dict[tuple[str, str], str] = {}
    found = []
    for role, person in _aboard(subject):
        key = _person_document(person)
        if key in seen:
            found.append(f"{_describe(role, person)} has the same document as {seen[key]}")
        else:
            seen[key] = _describe(role, person)
    return _joined(found)


def _crew_missing(subject: Subject, params: Mapping[str, Any]) -> str | None:
    return None if subject.arrival.crew else "crew: no crew list (FAL 5) filed"


def _crew_change(subject: Subject, params: Mapping[str, Any]) -> str | None:
    if subject.departure is None or subject.departure.crew is None:
        return None
    arrived = {_person_document(p) for p in subject.arrival.crew}
    leaving = {_person_document(p) for p in subject.departure.crew}
    on = [
        _describe("signing on:", p)
        for p in subject.departure.crew
        if _person_document(p) not in arrived
    ]
    off = [
        _describe("signing off:", p)
        for p in subject.arrival.crew
        if _person_document(p) not in leaving
    ]
    return _joined(on + off)


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
