"""UN/EDIFACT PAXLST (crew and passenger lists) read and written around pydifact.

pydifact 0.2.3 tokenises and serialises but checks no envelope counts and ships no segment
schemas, so the envelope (UNB, UNG, UNH, UNT, UNE, UNZ: edifact_envelope.py) and the PAXLST
content are checked here.
Errors name the place: "segment N (TAG+QUALIFIER)" with N counting the segments of the text from 1
(UNA included, so with one segment a line N is the line number), "person N field" with N counting
the persons of the interchange, or the envelope segment that is missing ("UNT", "UNZ").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pydantic
from pydantic_core import ErrorDetails
from pydifact.control import Characters
from pydifact.segments import Segment
from pydifact.serializer import Serializer

from kouan.adapters.edifact_envelope import Seg, Syntax, read_segments, split_messages
from kouan.domain import values
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.domain.filing import Person
from kouan.domain.identifiers import country_alpha3, is_known_locode

# NAD party qualifiers of the persons of a PAXLST (WCO/IATA/ICAO API guidelines).
_ROLES = {"FL": "passenger", "DDU": "passenger", "FM": "crew", "DDT": "crew"}
_ROLE_NAD = {"passenger": "FL", "crew": "FM"}
# DTM qualifiers of the journey: scheduled and estimated departure and arrival.
_DEPARTURE_DTM = {"189", "133"}
_ARRIVAL_DTM = {"232", "132"}
# DTM formats: picture, and the strptime format once a two-digit year has its century.
_DTM_FORMATS = {
    "101": ("YYMMDD", "%Y%m%d"),
    "102": ("CCYYMMDD", "%Y%m%d"),
    "201": ("YYMMDDHHMM", "%Y%m%d%H%M"),
    "203": ("CCYYMMDDHHMM", "%Y%m%d%H%M"),
}
_DTM_BY_LENGTH = {len(picture): code for code, (picture, _) in _DTM_FORMATS.items()}
_DTM_EXPECTED = (
    "a date in format 101 (YYMMDD), 102 (CCYYMMDD), 201 (YYMMDDHHMM) or 203 (CCYYMMDDHHMM)"
)
# Code list 1131 value 163: a country subdivision (a US state in LOC+91), not a country.
_SUBDIVISION_LIST = "163"
# What each Person field is read from, to say what is missing.
_SOURCES = {
    "family_name": "a family name in the person's NAD",
    "nationality": "a nationality in NAT+2",
    "date_of_birth": "a date of birth in DTM+329",
    "document": "a travel document in DOC",
    "document.number": "a document number in DOC",
    "document.issuing_state": "an issuing country in LOC+91 after DOC",
    "document.expiry": "an expiry date in DTM+36 after DOC",
}
_WRITE_CHARACTERS = Characters.from_str(":+.?*'")


@dataclass(kw_only=True)
class PassengerList:
    """One PAXLST message: the journey and the persons on it, each with its role.

    Times are as the message gives them, the local times of the ports, without a zone.
    """

    message_type: str = "PAXLST"
    version: str = "D:05B"
    sender: str
    transport_id: str | None = None
    departure_port: str | None = None
    arrival_port: str | None = None
    departure_at: datetime | None = None
    arrival_at: datetime | None = None
    persons: list[Person] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    declared_count: int | None = None


def parse_paxlst(text: str) -> list[PassengerList]:
    """Every PAXLST message of an interchange; ValidationFailed names each place that is wrong."""
    segments = read_segments(text)
    syntax = Syntax.of(segments)
    errors = FieldErrors()
    lists = []
    persons = 0
    for span in split_messages(segments):
        reader = _MessageReader(syntax, errors, first_person=persons + 1)
        lists.append(reader.read(span.segs(segments)))
        persons += reader.person_count
    errors.raise_if_any("PAXLST")
    return lists


def split_roles(lists: list[PassengerList]) -> tuple[list[Person], list[Person]]:
    """The crew (NAD+FM, DDT) and the passengers (NAD+FL, DDU) of PAXLST messages, in order."""
    crew: list[Person] = []
    passengers: list[Person] = []
    for passenger_list in lists:
        for person, role in zip(passenger_list.persons, passenger_list.roles, strict=True):
            (crew if role == "crew" else passengers).append(person)
    return crew, passengers


def write_paxlst(
    passenger_list: PassengerList, *, sender: str, recipient: str, reference: str
) -> str:
    """A PAXLST D:05B interchange holding the list as one message (tests, demos, round trips).

    A crew member's rank is not written: PAXLST has no place for it.
    """
    body = _journey_segments(passenger_list)
    for person, role in zip(passenger_list.persons, passenger_list.roles, strict=True):
        body += _person_segments(person, role)
    crew_list = set(passenger_list.roles) == {"crew"}
    body.append(Segment("CNT", ["41" if crew_list else "42", str(len(passenger_list.persons))]))
    now = datetime.now()
    segments = [
        Segment(
            "UNB", ["UNOC", "4"], sender, recipient, [f"{now:%Y%m%d}", f"{now:%H%M}"], reference
        ),
        Segment("UNH", "1", ["PAXLST", "D", "05B", "UN", "IATA"]),
        Segment("BGM", "250" if crew_list else "745"),
        *body,
        Segment("UNT", str(len(body) + 3), "1"),
        Segment("UNZ", "1", reference),
    ]
    return Serializer(_WRITE_CHARACTERS).serialize(segments, with_una_header=True, break_lines=True)


def _journey_segments(passenger_list: PassengerList) -> list[Segment]:
    segments = [
        Segment("NAD", "MS", "", "", passenger_list.sender),
        Segment("TDT", "20", passenger_list.transport_id or ""),
    ]
    for loc, port, dtm, at in (
        ("125", passenger_list.departure_port, "189", passenger_list.departure_at),
        ("87", passenger_list.arrival_port, "232", passenger_list.arrival_at),
    ):
        if port:
            segments.append(Segment("LOC", loc, port))
        if at:
            segments.append(Segment("DTM", [dtm, f"{at:%Y%m%d%H%M}", "203"]))
    return segments


def _person_segments(person: Person, role: str) -> list[Segment]:
    if role not in _ROLE_NAD:
        raise ValueError(f"role {role!r}: expected one of {', '.join(_ROLE_NAD)}")
    name = [person.family_name, person.given_names] if person.given_names else person.family_name
    segments = [Segment("NAD", _ROLE_NAD[role], "", "", name)]
    if person.sex:
        segments.append(Segment("ATT", "2", "", person.sex))
    segments.append(Segment("DTM", ["329", f"{person.date_of_birth:%Y%m%d}", "102"]))
    for qualifier, port in (
        ("178", person.port_of_embarkation),
        ("179", person.port_of_disembarkation),
    ):
        if port:
            segments.append(Segment("LOC", qualifier, port))
    document = person.document
    return [
        *segments,
        Segment("NAT", "2", country_alpha3(person.nationality)),
        Segment("DOC", [document.type, "110", "111"], document.number),
        Segment("DTM", ["36", f"{document.expiry:%Y%m%d}", "102"]),
        Segment("LOC", "91", country_alpha3(document.issuing_state)),
    ]


@dataclass
class _PersonData:
    """What one person's segments said, before it becomes a domain Person."""

    number: int
    role: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    documents: int = 0  # DOC segments seen: only the first, the travel document, is kept
    refused: set[str] = field(default_factory=set)  # fields whose segment was already refused


class _MessageReader:
    """Reads one PAXLST message into a PassengerList; content errors go to the shared collector."""

    def __init__(self, syntax: Syntax, errors: FieldErrors, first_person: int) -> None:
        self._syntax = syntax
        self._errors = errors
        self._first_person = first_person
        self._people: list[_PersonData] = []
        self._journey: dict[str, Any] = {"sender": syntax.sender}
        self._count: Seg | None = None
        self._handlers: dict[str, Callable[[Seg], None]] = {
            "NAD": self._nad,
            "TDT": self._tdt,
            "LOC": self._loc,
            "DTM": self._dtm,
            "ATT": self._att,
            "NAT": self._nat,
            "DOC": self._doc,
            "CNT": self._cnt,
        }

    @property
    def person_count(self) -> int:
        return len(self._people)

    def read(self, body: list[Seg]) -> PassengerList:
        unh = body[0]
        identifier = [*unh.components(1), "", "", ""]
        if identifier[0] != "PAXLST":
            raise ValidationFailed.one(unh.place, identifier[0], "a PAXLST message")
        for segment in body[1:-1]:
            handler = self._handlers.get(segment.tag)
            if handler:
                handler(segment)
        self._check_count()
        persons = [self._person(data) for data in self._people]
        return PassengerList(
            message_type=identifier[0],
            version=f"{identifier[1]}:{identifier[2]}",
            persons=[p for p in persons if p is not None],
            roles=[data.role for data in self._people if data.role is not None],
            **self._journey,
        )

    def _nad(self, segment: Seg) -> None:
        if segment.qualifier == "MS":
            self._journey["sender"] = segment.value(3) or segment.value(1) or self._syntax.sender
            return
        role = _ROLES.get(segment.qualifier)
        if role is None:
            self._errors.add(segment.place, segment.qualifier, _role_expected())
        data = _PersonData(self._first_person + len(self._people), role)
        # C080: family name, then given names, then (6th) the name format code.
        name = [*segment.components(3), ""]
        given = " ".join(part for part in name[1:5] if part)
        data.fields.update(family_name=name[0], given_names=given)
        self._people.append(data)

    def _tdt(self, segment: Seg) -> None:
        self._journey["transport_id"] = segment.value(1) or None

    def _loc(self, segment: Seg) -> None:
        code, qualifier = segment.value(1), segment.qualifier
        if not self._people:
            key = {"125": "departure_port", "87": "arrival_port"}.get(qualifier)
            if key:
                self._journey[key] = code or None
            return
        person = self._people[-1]
        if qualifier == "91" and person.documents == 1 and segment.value(1, 1) != _SUBDIVISION_LIST:
            person.document.setdefault("issuing_state", code)
        # A Person holds only UN/LOCODEs of the reference data: an IATA airport code (JFK) or a
        # place the reference lacks (inland airports abroad) would refuse the whole list.
        elif qualifier in ("178", "179") and is_known_locode(code):
            key = "port_of_embarkation" if qualifier == "178" else "port_of_disembarkation"
            person.fields.setdefault(key, code)

    def _dtm(self, segment: Seg) -> None:
        slot = self._date_slot(segment.qualifier)
        try:
            at = _parse_dtm(segment)
            if slot:
                _check_bounds(slot[2], at)
        except ValueError as exc:
            self._errors.add(segment.place, segment.value(0, 1), str(exc))
            if slot and self._people:
                self._people[-1].refused.add(slot[2])
            return
        if slot:
            values, key, _ = slot
            values.setdefault(key, at if values is self._journey else at.date())

    def _date_slot(self, qualifier: str) -> tuple[dict[str, Any], str, str] | None:
        """Where a DTM's date goes (values, key, the Person field's name), None if nowhere."""
        if not self._people:
            if qualifier in _DEPARTURE_DTM:
                return self._journey, "departure_at", "departure_at"
            if qualifier in _ARRIVAL_DTM:
                return self._journey, "arrival_at", "arrival_at"
            return None
        person = self._people[-1]
        if qualifier == "329":
            return person.fields, "date_of_birth", "date_of_birth"
        if qualifier == "36" and person.documents == 1:
            return person.document, "expiry", "document.expiry"
        return None

    def _att(self, segment: Seg) -> None:
        if self._people and segment.qualifier == "2":
            sex = segment.value(2).upper()
            if self._syntax.repetition:
                sex = sex.split(self._syntax.repetition)[0]
            # ICAO's X (unspecified) is what Person calls U.
            self._people[-1].fields.setdefault("sex", "U" if sex == "X" else sex)

    def _nat(self, segment: Seg) -> None:
        if self._people and segment.qualifier == "2":
            self._people[-1].fields.setdefault("nationality", segment.value(1))

    def _doc(self, segment: Seg) -> None:
        if not self._people:
            return
        person = self._people[-1]
        person.documents += 1
        if person.documents == 1:
            person.document.update(type=segment.value(0), number=segment.value(1))

    def _cnt(self, segment: Seg) -> None:
        if segment.qualifier in ("41", "42"):
            self._count = segment

    def _check_count(self) -> None:
        if self._count is None:
            return
        declared = self._count.value(0, 1)
        if declared.isdigit() and int(declared) == len(self._people):
            self._journey["declared_count"] = int(declared)
            return
        expected = f"{len(self._people)}, the number of persons in the message"
        self._errors.add(self._count.place, declared, expected)

    def _person(self, data: _PersonData) -> Person | None:
        values = dict(data.fields, document=data.document) if data.documents else data.fields
        try:
            person = Person.model_validate(values)
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                if where not in data.refused:
                    self._errors.add(f"person {data.number} {where}", *_explain(error, where))
            return None
        return person


def _role_expected() -> str:
    roles = ", ".join(f"{code} ({role})" for code, role in _ROLES.items())
    return f"a person's party qualifier: {roles}"


def _explain(error: ErrorDetails, where: str) -> tuple[object, str]:
    """The value and the expected text of one pydantic error about a person."""
    if error["type"] == "missing":
        return "", _SOURCES.get(where, f"a value for {where}")
    if error["type"] == "value_error":
        return error["input"], str(error["ctx"]["error"])
    return error["input"], error["msg"]


def _parse_dtm(segment: Seg) -> datetime:
    """A DTM's date; a two-digit year is this century, or the last for a birth in the future."""
    text, code = segment.value(0, 1), segment.value(0, 2)
    code = code or _DTM_BY_LENGTH.get(len(text), "")
    if code not in _DTM_FORMATS:
        raise ValueError(f"{_DTM_EXPECTED}, not format {code!r}")
    picture, pattern = _DTM_FORMATS[code]
    expected = f"a real date in format {code} ({picture})"
    if not (text.isdigit() and len(text) == len(picture)):
        raise ValueError(expected)
    if picture.startswith("YY"):
        text = _century(int(text[:2]), birth=segment.qualifier == "329") + text
    try:
        return datetime.strptime(text, pattern)
    except ValueError:
        raise ValueError(expected) from None


def _check_bounds(field: str, at: datetime) -> None:
    """The bounds every date Kouan keeps has (kouan.domain.values), checked where the DTM is, so
    the refusal names the segment: a birth up to today, a journey or an expiry in 2000-2099."""
    if field == "date_of_birth":
        if not values.possible_birth_day(at.date()):
            raise ValueError(values.BIRTH_DAY)
    elif not values.in_port_years(at):
        raise ValueError(
            values.IN_PORT_YEARS if field.endswith("_at") else values.DAY_IN_PORT_YEARS
        )


def _century(year: int, *, birth: bool) -> str:
    # Nobody is born in the future: a birth year after this year's two digits is last century.
    return "19" if birth and year > date.today().year % 100 else "20"
