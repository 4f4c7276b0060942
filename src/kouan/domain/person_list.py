"""One person list, whatever brought it: a PAXLST, a spreadsheet, JSON, a ship's crew list.

Carriers' lists are imperfect, so this model is tolerant where the port call's `Person` is strict:
a person may lack a date of birth, a nationality or a travel document, a document may lack its
expiry; what is missing or odd is said in the person's warnings and left to the rules. A list
is refused only when it cannot be read or trusted, and then the refusal's errors name the segment
(or line) and the element (or column) at fault.

Every issue is a message key with parameters (`kouan.domain.reasons`), rendered in the reader's
language later; its English text is the template filled in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from kouan.domain import identifiers, values
from kouan.domain.filing import Person
from kouan.domain.reasons import Reason, render

Severity = Literal["error", "warning"]


class ListKind(StrEnum):
    """What the list is (PAXLST BGM 1001: 745, 250, 336)."""

    PASSENGERS = "passengers"
    CREW = "crew"
    MASTER_CREW = "master_crew"


class ListFunction(StrEnum):
    """What the list does to the lists sent before it for the same journey."""

    ORIGINAL = "original"
    ADD = "add"
    DELETE = "delete"
    CHANGE = "change"


class Direction(StrEnum):
    ARRIVING = "arriving"
    DEPARTING = "departing"


class Role(StrEnum):
    PASSENGER = "passenger"
    CREW = "crew"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Issue:
    """Something wrong with a list: an error refuses the whole list, a warning keeps it.

    `segment` names where (an EDIFACT place "segment 12 (DTM+329)", a missing envelope segment
    "UNT", a sheet's "line 4"), `element` what inside it ("C507/2380", a column's header).
    `number` is the segment's number in the text (or the sheet's line) and `at` the element's and
    component's positions, for a CONTRL answer. `expected` is the English "what was expected" of
    a field error answer when it is not the message itself.
    """

    severity: Severity
    segment: str
    element: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: str = ""
    person: int | None = None  # the person of its list it concerns, from 1
    number: int | None = None
    at: tuple[int, int] | None = None
    expected: str | None = None

    @property
    def code(self) -> str:
        return self.key

    @property
    def reason(self) -> Reason:
        return Reason(self.key, self.params)

    @property
    def message(self) -> str:
        return render(self.key, self.params)

    @property
    def what_was_expected(self) -> str:
        return self.expected if self.expected is not None else self.message

    def as_dict(self) -> dict[str, Any]:
        """The issue as the API and the CLI answer it."""
        out: dict[str, Any] = {
            "segment": self.segment,
            "element": self.element,
            "code": self.key,
            "message": self.message,
            "params": _plain(self.params),
        }
        if self.value:
            out["value"] = self.value
        if self.person is not None:
            out["person"] = self.person
        return out


def error(segment: str, element: str, key: str, value: str = "", **params: Any) -> Issue:
    """An error; its template may say {value}, what was found."""
    return _issue("error", segment, element, key, value, params)


def warning(segment: str, element: str, key: str, value: str = "", **params: Any) -> Issue:
    return _issue("warning", segment, element, key, value, params)


def _issue(
    severity: Severity, segment: str, element: str, key: str, value: str, params: dict[str, Any]
) -> Issue:
    params = {"value": value, **params}
    Reason(key, params)  # an unknown key fails here, where it is written, not when rendered
    return Issue(severity, segment, element, key, params, value)


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return Reason("text", params).as_dict()["params"]  # nested reasons as {"key", "params"}


@dataclass(slots=True)
class Leg:
    """One leg of the journey: a flight or voyage from one place to the next.

    Times are as the list gives them, the local times of the places, without a zone.
    """

    transport_id: str | None = None
    departure_place: str | None = None
    departure_at: datetime | None = None
    arrival_place: str | None = None
    arrival_at: datetime | None = None


@dataclass(slots=True)
class TravelDocument:
    type: str = "P"
    number: str | None = None
    issuing_state: str | None = None  # ISO 3166 alpha-2 when the list gave a known country
    expiry: date | None = None


# Document types that are not a travel document to cross a border with (a visa rides along).
_NOT_TRAVEL_DOCUMENTS = frozenset({"V", "VI", "L"})


@dataclass(slots=True)
class ListedPerson:
    """One person of a list as the sender gave them; what is missing is None and warned about."""

    role: Role = Role.PASSENGER
    qualifier: str = ""  # the role as sent: NAD+FL, NAD+VW, a sheet's "船员"
    family_name: str = ""
    given_names: str = ""
    date_of_birth: date | None = None
    sex: Literal["M", "F", "U"] | None = None
    nationality: str | None = None  # ISO 3166 alpha-2
    documents: list[TravelDocument] = field(default_factory=list)
    rank: str | None = None
    seat: str | None = None
    booking_reference: str | None = None
    party: str | None = None
    bag_tags: list[str] = field(default_factory=list)
    embarkation: str | None = None
    disembarkation: str | None = None
    place_of_birth: str | None = None
    residence: str | None = None  # country of residence
    transit: bool = False
    deck: str | None = None
    cabin: str | None = None
    dining_group: str | None = None
    tour_group: str | None = None
    source: str = ""  # where the person starts in the input: "segment 8 (NAD+FL)", "line 3"
    warnings: list[Issue] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_names}".strip()

    def travel_document(self) -> TravelDocument | None:
        """The document to cross the border with: the first that is not a visa."""
        for document in self.documents:
            if document.type.upper() not in _NOT_TRAVEL_DOCUMENTS:
                return document
        return self.documents[0] if self.documents else None

    def to_person(self) -> Person:
        """The port call's strict Person; pydantic.ValidationError names what it cannot take.

        A travel document without number or issuing country is left out (the rules refer a person
        without one); places that are not UN/LOCODEs of the reference data (an IATA airport code)
        are left out of the embarkation and disembarkation.
        """
        return Person.model_validate(self.person_fields())

    def person_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "family_name": self.family_name,
            "given_names": self.given_names,
            "nationality": self.nationality,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "rank": self.rank,
            "port_of_embarkation": _locode(self.embarkation),
            "port_of_disembarkation": _locode(self.disembarkation),
        }
        document = self.travel_document()
        if document is not None and document.number and document.issuing_state:
            fields["document"] = {
                "type": document.type[:3] or "P",
                "number": document.number,
                "issuing_state": document.issuing_state,
                "expiry": document.expiry,
            }
        return {k: v for k, v in fields.items() if v is not None}

    def as_dict(self) -> dict[str, Any]:
        out = _fields(self, skip=("warnings", "documents"))
        out["documents"] = [_fields(d) for d in self.documents]
        out["warnings"] = [w.as_dict() for w in self.warnings]
        return out


def listed_person(person: Person, role: Role | str) -> ListedPerson:
    """A port call's Person as a listed one (to write it in a PAXLST)."""
    document = person.document
    return ListedPerson(
        role=Role(role),
        qualifier=Role(role).value,
        family_name=person.family_name,
        given_names=person.given_names,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        nationality=person.nationality,
        documents=[
            TravelDocument(document.type, document.number, document.issuing_state, document.expiry)
        ]
        if document is not None
        else [],
        rank=person.rank,
        embarkation=person.port_of_embarkation,
        disembarkation=person.port_of_disembarkation,
    )


def _locode(place: str | None) -> str | None:
    return place if place and identifiers.is_known_locode(place) else None


@dataclass(slots=True)
class PersonList:
    """A passenger or crew list: who sent it, for which journey, and the persons on it."""

    kind: ListKind = ListKind.PASSENGERS
    function: ListFunction = ListFunction.ORIGINAL
    sender: str = ""
    reference: str = ""  # the sender's reference of the list, its list_id
    carrier: str | None = None
    transport_id: str | None = None  # flight or voyage number
    vessel: str | None = None  # a ship's name (cruise and crew lists)
    legs: list[Leg] = field(default_factory=list)
    direction: Direction | None = None
    persons: list[ListedPerson] = field(default_factory=list)
    declared_count: int | None = None
    source: str = ""  # "PAXLST D:05B", "XLSX", "CSV", "JSON"
    warnings: list[Issue] = field(default_factory=list)  # about the list, not one person

    @property
    def departure(self) -> Leg | None:
        return self.legs[0] if self.legs else None

    @property
    def arrival(self) -> Leg | None:
        return self.legs[-1] if self.legs else None

    def all_warnings(self) -> Iterator[Issue]:
        yield from self.warnings
        for person in self.persons:
            yield from person.warnings

    def as_dict(self) -> dict[str, Any]:
        out = _fields(self, skip=("legs", "persons", "warnings"))
        out["legs"] = [_fields(leg) for leg in self.legs]
        out["persons"] = [p.as_dict() for p in self.persons]
        out["warnings"] = [w.as_dict() for w in self.warnings]
        return out


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass's fields as JSON values (dates ISO, enums their value)."""
    out = {}
    for name in obj.__dataclass_fields__:
        if name in skip:
            continue
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
        if isinstance(value, StrEnum):
            out[name] = value.value
    return out


@dataclass(slots=True)
class ListResult:
    """What reading one input gave: its lists when accepted, only the errors when refused."""

    lists: list[PersonList] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    # Where each message of an EDIFACT interchange starts, for a CONTRL answer.
    messages: list[MessageHead] = field(default_factory=list)
    interchange: InterchangeHead | None = None

    @property
    def status(self) -> Literal["accepted", "rejected"]:
        return "rejected" if self.errors else "accepted"

    @property
    def warnings(self) -> list[Issue]:
        return [w for person_list in self.lists for w in person_list.all_warnings()]

    @property
    def persons(self) -> int:
        return sum(len(person_list.persons) for person_list in self.lists)

    def refused(self) -> ListResult:
        """The result with nothing kept but the refusal."""
        return ListResult([], self.errors, self.messages, self.interchange)

    def as_dict(self, list_id: str | None = None) -> dict[str, Any]:
        """The CLI's and the API's answer: {"status", "list_id", "persons", "errors", "warnings"}
        and each list's summary; `list_id` defaults to the (first) list's reference."""
        first = (self.lists[0].reference or None) if self.lists else None
        return {
            "status": self.status,
            "list_id": list_id if list_id is not None else first,
            "persons": self.persons,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "lists": [
                {
                    "list_id": p.reference,
                    "kind": p.kind.value,
                    "function": p.function.value,
                    "transport_id": p.transport_id,
                    "persons": len(p.persons),
                }
                for p in self.lists
            ],
        }


@dataclass(frozen=True, slots=True)
class InterchangeHead:
    """What a CONTRL answer repeats of the interchange it answers (UNB)."""

    sender: str
    recipient: str
    control_ref: str
    syntax: str = "UNOC"
    version: str = "4"


@dataclass(frozen=True, slots=True)
class MessageHead:
    """One message of an interchange (UNH): its reference, type and segment number."""

    reference: str
    type: tuple[str, ...]  # S009: PAXLST, D, 05B, UN, IATA
    number: int  # of its UNH in the text


# --- JSON --------------------------------------------------------------------------------

_SEX = {"M": "M", "F": "F", "U": "U", "X": "U"}


def read_json(data: Any) -> ListResult:
    """A list sent as JSON (PersonList.as_dict's shape), as tolerant as the PAXLST reader: a person
    who is odd is kept with a warning; only a body that is not a list of persons is refused."""
    if not isinstance(data, Mapping) or not isinstance(data.get("persons"), list):
        return ListResult(errors=[error("body", "persons", "list.json_no_persons")])
    reader = _JsonReader()
    person_list = PersonList(
        kind=reader.enum(ListKind, data, "kind", ListKind.PASSENGERS, "body"),
        function=reader.enum(ListFunction, data, "function", ListFunction.ORIGINAL, "body"),
        sender=reader.text(data, "sender", "body") or "",
        reference=reader.text(data, "reference", "body") or "",
        carrier=reader.text(data, "carrier", "body"),
        vessel=reader.text(data, "vessel", "body"),
        transport_id=reader.text(data, "transport_id", "body"),
        direction=reader.optional_enum(Direction, data, "direction", "body"),
        declared_count=None,
        source="JSON",
    )
    for n, leg in enumerate(data.get("legs") or []):
        person_list.legs.append(reader.leg(leg, f"legs[{n}]"))
    for n, item in enumerate(data["persons"]):
        person_list.persons.append(reader.person(item, n + 1))
    person_list.warnings = reader.list_warnings
    if not person_list.transport_id and not person_list.legs:
        return ListResult(errors=[error("body", "transport_id", "list.json_no_journey")])
    return ListResult([person_list])


class _JsonReader:
    """Reads JSON values one by one; what does not fit is dropped with a warning."""

    def __init__(self) -> None:
        self.list_warnings: list[Issue] = []
        self._warnings = self.list_warnings
        self._person: int | None = None

    def _warn(self, where: str, name: str, key: str, value: object, **params: Any) -> None:
        # The person's field it concerns, so that it is not warned about again as missing.
        field_name = f"document.{name}" if ".documents[" in where else name
        issue = warning(where, name, key, str(value)[:100], field=field_name, **params)
        if self._person is not None:
            issue = for_person(issue, self._person)
        self._warnings.append(issue)

    def text(self, data: Mapping[str, Any], name: str, where: str) -> str | None:
        value = data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self._warn(where, name, "list.json_not_text", value)
            return None
        return clean_text(str(value), lambda bad: self._warn(where, name, "list.unfit_text", bad))

    def enum(self, kind: Any, data: Mapping[str, Any], name: str, default: Any, where: str) -> Any:
        return self.optional_enum(kind, data, name, where) or default

    def optional_enum(self, kind: Any, data: Mapping[str, Any], name: str, where: str) -> Any:
        value = data.get(name)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            self._warn(where, name, "list.json_not_one_of", value, choices=choices)
            return None

    def day(self, data: Mapping[str, Any], name: str, where: str, *, birth: bool) -> date | None:
        text = self.text(data, name, where)
        if text is None:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self._warn(where, name, "list.json_not_a_date", text)
            return None
        if birth and not values.possible_birth_day(day):
            self._warn(where, name, "list.birth_out_of_range", text)
            return None
        if not birth and not values.in_port_years(day):
            self._warn(where, name, "list.date_out_of_years", text)
            return None
        return day

    def moment(self, data: Mapping[str, Any], name: str, where: str) -> datetime | None:
        text = self.text(data, name, where)
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            self._warn(where, name, "list.json_not_a_date", text)
            return None

    def country(self, data: Mapping[str, Any], name: str, where: str) -> str | None:
        text = self.text(data, name, where)
        if text is None:
            return None
        try:
            return identifiers.validate_country(text)
        except ValueError:
            self._warn(where, name, "list.unknown_country", text)
            return None

    def leg(self, data: Any, where: str) -> Leg:
        if not isinstance(data, Mapping):
            self._warn(where, "", "list.json_not_an_object", data)
            return Leg()
        return Leg(
            transport_id=self.text(data, "transport_id", where),
            departure_place=self.text(data, "departure_place", where),
            departure_at=self.moment(data, "departure_at", where),
            arrival_place=self.text(data, "arrival_place", where),
            arrival_at=self.moment(data, "arrival_at", where),
        )

    def person(self, data: Any, number: int) -> ListedPerson:
        where = f"persons[{number - 1}]"
        person = ListedPerson(source=where)
        self._warnings, self._person = person.warnings, number
        try:
            if not isinstance(data, Mapping):
                self._warn(where, "", "list.json_not_an_object", data)
                return person
            self._fill(person, data, where)
            person.warnings.extend(missing_details(person, where, number))
            return person
        finally:
            self._warnings, self._person = self.list_warnings, None

    def _fill(self, person: ListedPerson, data: Mapping[str, Any], where: str) -> None:
        role = self.optional_enum(Role, data, "role", where)
        person.role = role or Role.PASSENGER
        person.qualifier = str(data.get("qualifier") or person.role.value)
        person.family_name = self.text(data, "family_name", where) or ""
        person.given_names = self.text(data, "given_names", where) or ""
        for name in _JSON_TEXTS:
            setattr(person, name, self.text(data, name, where))
        person.date_of_birth = self.day(data, "date_of_birth", where, birth=True)
        sex = (self.text(data, "sex", where) or "").upper()
        person.sex = _SEX.get(sex)  # type: ignore[assignment]
        if sex and person.sex is None:
            self._warn(where, "sex", "list.unknown_sex", sex)
        person.nationality = self.country(data, "nationality", where)
        person.residence = self.country(data, "residence", where)
        person.transit = data.get("transit") is True
        person.bag_tags = [str(tag) for tag in data.get("bag_tags") or [] if str(tag).strip()]
        for n, document in enumerate(data.get("documents") or []):
            person.documents.append(self.document(document, f"{where}.documents[{n}]"))

    def document(self, data: Any, where: str) -> TravelDocument:
        if not isinstance(data, Mapping):
            self._warn(where, "", "list.json_not_an_object", data)
            return TravelDocument()
        return TravelDocument(
            type=self.text(data, "type", where) or "P",
            number=self.text(data, "number", where),
            issuing_state=self.country(data, "issuing_state", where),
            expiry=self.day(data, "expiry", where, birth=False),
        )


_JSON_TEXTS = (
    "rank",
    "seat",
    "booking_reference",
    "party",
    "embarkation",
    "disembarkation",
    "place_of_birth",
    "deck",
    "cabin",
    "dining_group",
    "tour_group",
)


def for_person(issue: Issue, number: int) -> Issue:
    """The issue, saying which person of its list it concerns."""
    return dataclasses.replace(issue, person=number)


def clean_text(text: str, bad: Any) -> str:
    """Text Kouan can keep: NUL and unpaired surrogates become U+FFFD, `bad(text)` told once."""
    if values.unfit_character(text) is None:
        return text
    bad(text)
    return "".join("\ufffd" if values.unfit_character(c) else c for c in text)


def missing_details(
    person: ListedPerson, where: str, number: int, element: Callable[[str], str] = str
) -> Iterator[Issue]:
    """Warnings for what a border officer needs and the person lacks: kept, left to the rules.

    `element(field)` names where the input would have given the field (a segment, a column).
    """
    checks = (
        (not person.family_name, "family_name", "list.no_family_name"),
        (person.date_of_birth is None, "date_of_birth", "list.no_birth_date"),
        (person.nationality is None, "nationality", "list.no_nationality"),
    )
    for missing, name, key in checks:
        if missing and not _warned(person, name):
            yield _numbered(warning(where, element(name), key, field=name), number)
    yield from _document_gaps(person, where, number, element)


def _numbered(issue: Issue, number: int) -> Issue:
    return for_person(issue, number) if number else issue


def _warned(person: ListedPerson, name: str) -> bool:
    """Whether a warning about this field was already given (a bad value, not a missing one)."""
    return any(w.params.get("field") == name for w in person.warnings)


def _document_gaps(
    person: ListedPerson, where: str, number: int, element: Callable[[str], str]
) -> Iterator[Issue]:
    document = person.travel_document()
    if document is None:
        issue = warning(where, element("documents"), "list.no_document", field="document")
        yield _numbered(issue, number)
        return
    label = document.number or "?"
    gaps = (
        (not document.number, "number", "list.no_document_number"),
        (document.issuing_state is None, "issuing_state", "list.no_issuing_state"),
        (document.expiry is None, "expiry", "list.no_expiry"),
    )
    for missing, name, key in gaps:
        field_name = f"document.{name}"
        if missing and not _warned(person, field_name):
            issue = warning(where, element(field_name), key, number=label, field=field_name)
            yield _numbered(issue, number)
