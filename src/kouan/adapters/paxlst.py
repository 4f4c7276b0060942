"""UN/EDIFACT PAXLST (passenger and crew lists, D02B to D05B) read tolerantly and written.

`read_paxlst` reads an interchange into person lists (`kouan.domain.person_list`): real messages
are imperfect, so a person without a travel document, a document without expiry, an unknown
qualifier or a role such as NAD+VW is kept with a warning and left to the rules. The interchange is
refused only when it cannot be read or trusted: a broken envelope, counts (UNT, UNE, UNZ, CNT) that
disagree, a missing BGM or TDT (no flight), a part of a multi-part list missing, a journey date
that is no date, anything after UNZ. Then nothing is kept but the errors, each naming its segment
("segment 12 (DTM+189)", or the missing envelope segment "UNT") and its element ("C507/2380"),
and `write_contrl` answers the sender with them.

Multi-part lists (UNH S010: 01:C, 02, ..., nn:F, sharing the common access reference 0068) are
assembled into one list, in part order whatever order they came in. The separators are those
the UNA declares, or ISO 9735's.

`parse_paxlst` and `split_roles` serve the port call, whose `Person` is strict: a person who
cannot be one (no date of birth, no nationality, a NUL in a name) refuses the upload there,
naming the segment or the person's field.

The segments are split by `edifact_envelope.tokenise`, many times faster than pydifact's
character-at-a-time tokeniser (see bench/paxlst_gen.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pydantic

from kouan.adapters.edifact_envelope import (
    Piece,
    Seg,
    SegmentLike,
    Separators,
    Span,
    element_id,
    located,
    tokenise,
    walk,
)
from kouan.domain import values
from kouan.domain.errors import FieldError, FieldErrors, ValidationFailed
from kouan.domain.filing import Person
from kouan.domain.identifiers import country_alpha3, validate_country
from kouan.domain.person_list import (
    Direction,
    InterchangeHead,
    Issue,
    Leg,
    ListedPerson,
    ListFunction,
    ListKind,
    ListResult,
    MessageHead,
    PersonList,
    Role,
    TravelDocument,
    clean_text,
    error,
    for_person,
    listed_person,
    missing_details,
    warning,
)
from kouan.domain.reasons import Reason

# NAD party qualifiers of the persons of a PAXLST (WCO/IATA/ICAO API guidelines): the role, and
# whether the person is in transit.
_ROLES = {
    "FL": (Role.PASSENGER, False),
    "DDU": (Role.PASSENGER, True),
    "FM": (Role.CREW, False),
    "DDT": (Role.CREW, True),
}
_KINDS = {"745": ListKind.PASSENGERS, "250": ListKind.CREW, "336": ListKind.MASTER_CREW}
_KIND_CODES = {kind: code for code, kind in _KINDS.items()}
# BGM C106/1004 as the US and other API programmes use it: CP change passenger data, RP reduction
# in party, XR cancel reservation; crew change CC, BC, EC, FC; master crew list G add, H delete,
# I change. Other identifiers (a list number, a crew-list type "C") say nothing of the function.
_FUNCTION_IDS = {
    "CP": ListFunction.CHANGE,
    "RP": ListFunction.CHANGE,
    "XR": ListFunction.DELETE,
    "CC": ListFunction.CHANGE,
    "BC": ListFunction.CHANGE,
    "EC": ListFunction.CHANGE,
    "FC": ListFunction.CHANGE,
    "G": ListFunction.ADD,
    "H": ListFunction.DELETE,
    "I": ListFunction.CHANGE,
}
# BGM 1225, the message function code: 9 original, 2 addition, 1 cancellation, 3 deletion,
# 4 change, 5 replace.
_FUNCTION_CODES = {
    "9": ListFunction.ORIGINAL,
    "2": ListFunction.ADD,
    "1": ListFunction.DELETE,
    "3": ListFunction.DELETE,
    "4": ListFunction.CHANGE,
    "5": ListFunction.CHANGE,
}
# What Kouan writes for each function, by kind: (C106/1004, 1225).
_WRITTEN_FUNCTION = {
    (ListKind.MASTER_CREW, ListFunction.ADD): ("G", ""),
    (ListKind.MASTER_CREW, ListFunction.DELETE): ("H", ""),
    (ListKind.MASTER_CREW, ListFunction.CHANGE): ("I", ""),
    (ListKind.PASSENGERS, ListFunction.CHANGE): ("CP", ""),
    (ListKind.PASSENGERS, ListFunction.DELETE): ("XR", ""),
    (ListKind.CREW, ListFunction.CHANGE): ("CC", ""),
}
_FUNCTION_1225 = {ListFunction.ADD: "2", ListFunction.DELETE: "3", ListFunction.CHANGE: "4"}
# DTM qualifiers of the journey: scheduled and estimated departure and arrival.
_DEPARTURE_DTM = frozenset({"189", "133"})
_ARRIVAL_DTM = frozenset({"232", "132"})
# LOC qualifiers of the journey: departure, arrival, either (multi-leg), final destination,
# first arrival in the country, reporting and filing places.
_JOURNEY_LOC = frozenset({"125", "87", "92", "130", "22", "172", "188"})
# DTM formats (2379) and the length of each.
_DTM_LENGTHS = {"101": 6, "102": 8, "201": 10, "203": 12, "204": 14}
_DTM_BY_LENGTH = {length: code for code, length in _DTM_LENGTHS.items()}
# Code list 1131 value 163: a country subdivision (a US state in LOC+91), not a country.
_SUBDIVISION_LIST = "163"
# Where a PAXLST gives each of a person's fields, to say where a missing one was expected.
_PAXLST_PLACES: dict[str, str] = {
    "family_name": "NAD C080/3036",
    "date_of_birth": "DTM+329",
    "nationality": "NAT+2",
    "documents": "DOC",
    "document.number": "DOC C503/1004",
    "document.issuing_state": "LOC+91",
    "document.expiry": "DTM+36",
}


def _paxlst_place(field_name: str) -> str:
    return _PAXLST_PLACES.get(field_name, field_name)


# Segments of a PAXLST that say nothing Kouan keeps: read past without a warning.
_QUIET = frozenset({"CTA", "COM", "EMP", "GEI", "MEA", "QTY", "CPI", "GID", "AUT", "UNS", "PDT"})


@dataclass(kw_only=True)
class PassengerList:
    """One PAXLST list as the port call takes it: the journey and strict Persons with roles.

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
    warnings: list[Issue] = field(default_factory=list)


# --- Reading -----------------------------------------------------------------------------------


def read_paxlst(text: str, *, here: Iterable[str] = ()) -> ListResult:
    """Every list of a PAXLST interchange, or only the errors that refuse it.

    `here` names this port or airport (UN/LOCODEs, IATA codes): a list whose last leg arrives
    here is arriving, one whose first leg leaves from here departing (a UN/LOCODE's country
    counts as here for UN/LOCODEs of the same country).
    """
    tokens = tokenise(text)
    walked = walk(tokens)
    if walked.unb is None:
        return ListResult(errors=walked.errors)
    syntax = _Syntax.of(walked.unb, tokens.separators, tokens.pieces)
    clean = values.unfit_character(text) is not None  # checked once, not per value
    parts = [_read_part(tokens.pieces, span, syntax, clean) for span in walked.spans]
    result = ListResult(
        errors=list(walked.errors),
        messages=[part.head for part in parts],
        interchange=syntax.head,
    )
    for chain in _chains(parts):
        assembled = _assemble(chain, result.errors)
        if assembled is not None:
            assembled.direction = _direction(assembled.legs, frozenset(here))
            result.lists.append(assembled)
    # In the order of the text; a missing trailer (no number) where the text ends.
    result.errors.sort(key=lambda issue: issue.number if issue.number is not None else len(text))
    return result.refused() if result.errors else result


def decode(data: bytes) -> str:
    """The text of an interchange: UTF-8 when it is, else the Latin alphabet its UNB names
    (UNOA to UNOC are within Latin-1; UNOD to UNOK other ISO 8859 parts)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    syntax = data[data.find(b"UNB") + 4 : data.find(b"UNB") + 8].decode("ascii", "replace")
    charset = {"UNOD": "iso8859-2", "UNOE": "iso8859-5", "UNOF": "iso8859-7"}.get(syntax)
    return data.decode(charset or "latin-1", errors="replace")


@dataclass(frozen=True)
class _Syntax:
    """What the interchange header says that the messages need."""

    sender: str
    repetition: str  # syntax 4 separates repeated values ("*"); "" when not
    head: InterchangeHead
    version: str

    @classmethod
    def of(cls, unb: SegmentLike, separators: Separators, pieces: list[Piece]) -> _Syntax:
        seg = Seg(0, unb)
        version = seg.value(0, 1)
        repetition = ""
        if version == "4":
            declared = pieces[0].tag == "UNA"
            repetition = separators.repetition if declared else "*"
            repetition = "" if repetition == " " else repetition
        head = InterchangeHead(
            sender=seg.value(1),
            recipient=seg.value(2),
            control_ref=seg.value(4),
            syntax=seg.value(0) or "UNOC",
            version=version or "4",
        )
        return cls(seg.value(1), repetition, head, version)


@dataclass
class _Part:
    """One message as read: its list, and what assembling it with its other parts needs."""

    head: MessageHead
    person_list: PersonList
    access: str  # UNH 0068, the common access reference the parts of a list share
    sequence: int | None  # UNH S010/0070, None when the message is a whole list
    last: bool  # UNH S010/0073 F
    unh: Seg
    bgm: Seg | None = None
    counts: list[Seg] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)


def _read_part(pieces: list[Piece], span: Span, syntax: _Syntax, clean: bool) -> _Part:
    unh = Seg(span.start + 1, pieces[span.start])
    end = span.end - 1 if span.closed else span.end
    body = range(span.start + 1, end)
    reader = _MessageReader(pieces, syntax, clean)
    part = _Part(
        head=MessageHead(unh.value(0), tuple(unh.components(1)), unh.number),
        person_list=reader.person_list,
        access=unh.value(2),
        sequence=None,
        last=unh.value(3, 1).upper() == "F",
        unh=unh,
    )
    if unh.value(1) != "PAXLST":
        issue = error(unh.place, element_id("UNH", 2), "list.not_paxlst", unh.value(1))
        part.errors.append(located(issue, unh.number, 2))
        return part
    part.sequence = _sequence(unh, part.errors)
    reader.read(body)
    part.counts, part.bgm = reader.counts, reader.bgm
    part.errors.extend(reader.errors)
    part.errors.extend(_mandatory(reader, unh, span, pieces))
    return part


def _sequence(unh: Seg, errors: list[Issue]) -> int | None:
    """The part number (S010/0070), None for a message that is a whole list."""
    number = unh.value(3)
    if not number and not unh.value(3, 1):
        return None
    if number.isdigit():
        return int(number)
    issue = error(unh.place, element_id("UNH", 4, 1), "list.part_number", number)
    errors.append(located(issue, unh.number, 4, 1))
    return None


def _mandatory(reader: _MessageReader, unh: Seg, span: Span, pieces: list[Piece]) -> list[Issue]:
    """BGM and TDT must be there: without a TDT the list names no flight or voyage."""
    where = Seg(span.end, pieces[span.end - 1]) if span.closed else unh
    missing = []
    needed = ((reader.bgm, "BGM", "list.no_bgm"), (reader.legs, "TDT", "list.no_transport"))
    for seen, tag, key in needed:
        if not seen:
            issue = error(where.place, tag, key, opened=unh.number)
            missing.append(located(issue, where.number, 0))
    return missing


class _MessageReader:
    """Reads one PAXLST message's segments into a PersonList; what is odd is warned about."""

    def __init__(self, pieces: list[Piece], syntax: _Syntax, clean: bool) -> None:
        self._pieces = pieces
        self._syntax = syntax
        self._clean = clean
        self.person_list = PersonList(sender=syntax.sender)
        self.errors: list[Issue] = []
        self.counts: list[Seg] = []
        self.bgm: Seg | None = None
        self.legs = 0
        self._person: ListedPerson | None = None
        self._document: TravelDocument | None = None
        self._leg: Leg | None = None
        self._handlers: dict[str, Callable[[Seg], None]] = {
            "BGM": self._bgm,
            "RFF": self._rff,
            "NAD": self._nad,
            "TDT": self._tdt,
            "LOC": self._loc,
            "DTM": self._dtm,
            "ATT": self._att,
            "NAT": self._nat,
            "DOC": self._doc,
            "FTX": self._ftx,
            "CNT": self._cnt,
        }

    def read(self, body: range) -> None:
        pieces, handlers = self._pieces, self._handlers
        for index in body:
            piece = pieces[index]
            handler = handlers.get(piece.tag)
            if handler is not None:
                handler(Seg(index + 1, piece))
            elif piece.tag not in _QUIET:
                seg = Seg(index + 1, piece)
                self._warn(seg, 0, 0, "list.unknown_segment", piece.tag, person=False)
        self._finish_person()
        self._finish_leg()

    # -- issues

    def _warn(
        self,
        seg: Seg,
        element: int,
        component: int,
        key: str,
        value: str,
        *,
        person: bool = True,
        **params: Any,
    ) -> None:
        """A warning about the current person (or, with person=False or before any, the list)."""
        name = element_id(seg.tag, element, component) if element else seg.tag
        issue = located(
            warning(seg.place, name, key, value, **params), seg.number, element, component
        )
        if person and self._person is not None:
            self._person.warnings.append(issue)
        else:
            self.person_list.warnings.append(issue)

    def _text(self, seg: Seg, element: int, component: int, name: str) -> str:
        text = seg.value(element - 1, component - 1)
        if not self._clean:
            return text
        return clean_text(
            text,
            lambda bad: self._warn(seg, element, component, "list.unfit_text", bad, field=name),
        )

    # -- the list and its journey

    def _bgm(self, seg: Seg) -> None:
        self.bgm = seg
        person_list = self.person_list
        code, identifier, function = seg.value(0), seg.value(1), seg.value(2)
        person_list.kind = _KINDS.get(code, ListKind.PASSENGERS)
        if identifier in _FUNCTION_IDS:
            person_list.function = _FUNCTION_IDS[identifier]
        elif function in _FUNCTION_CODES:
            person_list.function = _FUNCTION_CODES[function]
        if identifier and identifier not in _FUNCTION_IDS and len(identifier) > 2:
            person_list.reference = identifier  # a document number, not a function code

    def _rff(self, seg: Seg) -> None:
        qualifier = seg.value(0)
        person = self._person
        if person is None:
            if not self.person_list.reference and seg.value(0, 1):
                self.person_list.reference = self._text(seg, 1, 2, "reference")
            return
        if self._document is not None and qualifier not in ("AVF", "SEA"):
            return  # references of a document (a visa's, an application's): not the person's
        reference = self._text(seg, 1, 2, qualifier)
        if qualifier == "AVF":
            person.booking_reference = reference or None
        elif qualifier == "SEA":
            person.seat = reference.lstrip("0") or None
        elif qualifier not in ("ABO", "AEA", "CR", "TN", "ACD", "AEF"):
            self._warn(seg, 1, 1, "list.unknown_qualifier", qualifier, tag="RFF")

    def _nad(self, seg: Seg) -> None:
        qualifier = seg.value(0)
        if qualifier == "MS":
            name = seg.value(3) or seg.value(1)
            if name:
                self.person_list.sender = self._text(seg, 4 if seg.value(3) else 2, 1, "sender")
            return
        if qualifier not in _ROLES and not self.legs:
            # A party of the header (group 1), not a person: nothing Kouan keeps.
            self._warn(seg, 1, 1, "list.unknown_qualifier", qualifier, tag="NAD", person=False)
            return
        self._finish_person()
        role, transit = _ROLES.get(qualifier, (Role.OTHER, False))
        person = ListedPerson(role=role, qualifier=qualifier, transit=transit, source=seg.place)
        self._person = person
        if role is Role.OTHER:
            self._warn(seg, 1, 1, "list.unknown_role", qualifier)
        # C080: family name, then given names, then (6th) the name format code.
        names = seg.components(3)
        person.family_name = self._text(seg, 4, 1, "family_name")
        given = [self._text(seg, 4, n, "given_names") for n in range(2, min(len(names), 5) + 1)]
        person.given_names = " ".join(part for part in given if part)

    def _tdt(self, seg: Seg) -> None:
        self._finish_leg()
        self.legs += 1
        transport_id = self._text(seg, 2, 1, "transport_id").strip()
        person_list = self.person_list
        if not transport_id:
            self._warn(seg, 2, 1, "list.no_transport_id", "", person=False)
        person_list.transport_id = person_list.transport_id or transport_id or None
        person_list.carrier = person_list.carrier or seg.value(4) or None  # C040/3127
        # C222/8212: the ship's name (a cruise's list names its vessel; a flight's seldom does).
        vessel = self._text(seg, 9, 4, "vessel").strip()
        person_list.vessel = person_list.vessel or vessel or None
        self._leg = Leg(transport_id=transport_id or None)

    def _finish_leg(self) -> None:
        if self._leg is not None:
            self.person_list.legs.append(self._leg)
            self._leg = None

    def _journey_loc(self, seg: Seg, qualifier: str) -> None:
        leg = self._leg
        if leg is None:
            return  # LOC of the message's header (group 0): where the list was filed
        place = seg.value(1).strip()
        if qualifier == "92":  # either: the departure of a leg not begun, else its arrival
            begun = leg.departure_place and not leg.arrival_place
            qualifier = "87" if begun else "125"
        if qualifier == "125" and leg.departure_place and leg.arrival_place:
            # Another leg of the same flight: a progressive flight under one TDT.
            self._finish_leg()
            leg = self._leg = Leg(transport_id=leg.transport_id)
        if qualifier == "125":
            leg.departure_place = place or None
        elif qualifier in ("87", "130") and not (qualifier == "130" and leg.arrival_place):
            leg.arrival_place = place or None

    # -- the persons

    def _finish_person(self) -> None:
        person = self._person
        if person is not None:
            person.warnings.extend(missing_details(person, person.source, 0, _paxlst_place))
            self.person_list.persons.append(person)
        self._person = None
        self._document = None

    def _loc(self, seg: Seg) -> None:
        qualifier = seg.value(0)
        person = self._person
        if person is None:
            if qualifier in _JOURNEY_LOC:
                self._journey_loc(seg, qualifier)
            else:
                self._warn(seg, 1, 1, "list.unknown_qualifier", qualifier, tag="LOC", person=False)
            return
        place = self._text(seg, 2, 1, "place").strip()
        if qualifier == "91":
            self._issuing_state(seg, place)
        elif qualifier == "178":
            person.embarkation = place or None
        elif qualifier == "179":
            person.disembarkation = place or None
        elif qualifier == "180":
            # LOC+180+:::AMBER HILL GBR: a place of birth given as text, not a code.
            person.place_of_birth = place or seg.value(1, 3) or None
        elif qualifier == "174":
            person.residence = self._country(seg, 2, place, "residence")
        elif qualifier != "22":  # the first airport of arrival: the flight's, not the person's
            self._warn(seg, 1, 1, "list.unknown_qualifier", qualifier, tag="LOC")

    def _issuing_state(self, seg: Seg, place: str) -> None:
        document = self._document
        if document is None or document.issuing_state is not None:
            return
        if seg.value(1, 1) == _SUBDIVISION_LIST:
            return  # a state of the country, not the country: the next LOC+91 may name it
        document.issuing_state = self._country(seg, 2, place, "document.issuing_state")

    def _country(self, seg: Seg, element: int, code: str, name: str) -> str | None:
        if not code:
            return None
        try:
            return validate_country(code)
        except ValueError:
            self._warn(seg, element, 1, "list.unknown_country", code, field=name)
            return None

    def _dtm(self, seg: Seg) -> None:
        qualifier = seg.value(0)
        person = self._person
        if person is None:
            self._journey_dtm(seg, qualifier)
        elif qualifier == "329":
            born = self._date(seg, "date_of_birth", birth=True)
            if person.date_of_birth is None and born is not None:
                person.date_of_birth = born.date()
        elif qualifier == "36" and self._document is not None:
            expiry = self._date(seg, "document.expiry", birth=False)
            if self._document.expiry is None and expiry is not None:
                self._document.expiry = expiry.date()
        elif qualifier not in ("182", "36"):  # 182: the document's issue date
            self._warn(seg, 1, 1, "list.unknown_qualifier", qualifier, tag="DTM")

    def _journey_dtm(self, seg: Seg, qualifier: str) -> None:
        leg = self._leg
        departure = qualifier in _DEPARTURE_DTM
        if leg is None or not (departure or qualifier in _ARRIVAL_DTM):
            return  # a date of the message itself (its preparation): nothing Kouan keeps
        at = self._date(seg, "departure_at" if departure else "arrival_at", birth=False)
        if at is None:
            return
        if departure:
            leg.departure_at = leg.departure_at or at
        else:
            leg.arrival_at = leg.arrival_at or at

    def _date(self, seg: Seg, name: str, *, birth: bool) -> datetime | None:
        """The DTM's date, None with a warning (a person's) or an error (the journey's)."""
        text = seg.value(0, 1)
        try:
            at = _parse_dtm(text, seg.value(0, 2), birth=birth)
            _check_bounds(name, at)
        except _DateProblem as problem:
            issue = warning if self._person is not None else error
            made = issue(seg.place, element_id("DTM", 1, 2), problem.key, text, field=name)
            made = dataclasses.replace(located(made, seg.number, 1, 2), expected=problem.expected)
            if self._person is not None:
                self._person.warnings.append(made)
            else:
                self.errors.append(made)
            return None
        return at

    def _att(self, seg: Seg) -> None:
        person = self._person
        if person is None or seg.value(0) != "2":
            if person is not None:
                self._warn(seg, 1, 1, "list.unknown_qualifier", seg.value(0), tag="ATT")
            return
        sex = seg.value(2).strip().upper()
        if self._syntax.repetition:
            sex = sex.split(self._syntax.repetition)[0]
        # ICAO's X (unspecified) is what Person calls U.
        code = {"M": "M", "F": "F", "U": "U", "X": "U"}.get(sex)
        if code is None and sex:
            self._warn(seg, 3, 1, "list.unknown_sex", sex, field="sex")
        person.sex = person.sex or code  # type: ignore[assignment]

    def _nat(self, seg: Seg) -> None:
        person = self._person
        if person is None:
            return
        if seg.value(0) not in ("2", "1", ""):
            self._warn(seg, 1, 1, "list.unknown_qualifier", seg.value(0), tag="NAT")
            return
        code = self._text(seg, 2, 1, "nationality").strip()
        if person.nationality is None:
            person.nationality = self._country(seg, 2, code, "nationality")

    def _doc(self, seg: Seg) -> None:
        person = self._person
        if person is None:
            return
        kind = self._text(seg, 1, 1, "document.type").strip() or "P"
        number = self._text(seg, 2, 1, "document.number").strip()
        if not number:
            number = self._misplaced_number(seg)
        self._document = TravelDocument(type=kind, number=number or None)
        person.documents.append(self._document)

    def _misplaced_number(self, seg: Seg) -> str:
        """A document number sent in another element than C503/1004 (the document name, a
        later component): taken, with a warning, so the person's document is not lost."""
        for element, values_ in enumerate(seg.segment.elements, 1):
            parts = [values_] if isinstance(values_, str) else values_
            for component, part in enumerate(parts, 1):
                if (element, component) in ((1, 1), (2, 1)):
                    continue  # the type; the number's own place, empty
                candidate = part.strip()
                # Code list and agency codes ("110", "111") are shorter than any number.
                if len(candidate) >= 5 and candidate.isalnum():
                    self._warn(seg, element, component, "list.document_number_moved", candidate)
                    return candidate
        return ""

    def _ftx(self, seg: Seg) -> None:
        person = self._person
        if person is None or seg.value(0) != "BAG":
            return
        # FTX+BAG+++AF012345:3: three tags, AF012345 and the two numbers after it.
        tag, count = seg.value(3).strip(), seg.value(3, 1).strip()
        if tag:
            person.bag_tags.extend(_bag_tags(tag, int(count) if count.isdigit() else 1))

    def _cnt(self, seg: Seg) -> None:
        if seg.value(0) in ("41", "42"):
            self.counts.append(seg)
        else:
            self._warn(seg, 1, 1, "list.unknown_qualifier", seg.value(0), tag="CNT", person=False)


def _bag_tags(first: str, count: int) -> list[str]:
    """Sequential tags from the first: the airline's two characters, then a number."""
    head, digits = first[:2], first[2:]
    if count <= 1 or not digits.isdigit():
        return [first]
    start = int(digits)
    return [f"{head}{start + n:0{len(digits)}d}" for n in range(min(count, 99))]


class _DateProblem(Exception):
    def __init__(self, key: str, expected: str) -> None:
        super().__init__(key)
        self.key = key
        self.expected = expected


_DTM_EXPECTED = (
    "a date in format 101 (YYMMDD), 102 (CCYYMMDD), 201 (YYMMDDHHMM), 203 (CCYYMMDDHHMM) "
    "or 204 (CCYYMMDDHHMMSS)"
)
_PICTURES = {
    "101": "YYMMDD",
    "102": "CCYYMMDD",
    "201": "YYMMDDHHMM",
    "203": "CCYYMMDDHHMM",
    "204": "CCYYMMDDHHMMSS",
}


def _parse_dtm(text: str, code: str, *, birth: bool) -> datetime:
    """A DTM's date; a two-digit year is this century, or the last for a birth in the future."""
    code = code or _DTM_BY_LENGTH.get(len(text), "")
    length = _DTM_LENGTHS.get(code)
    if length is None:
        raise _DateProblem("list.date_format", f"{_DTM_EXPECTED}, not format {code!r}")
    expected = f"a real date in format {code} ({_PICTURES[code]})"
    if not (text.isdigit() and len(text) == length):
        raise _DateProblem("list.date_invalid", expected)
    if length in (6, 10):
        text = _century(int(text[:2]), birth=birth) + text
    try:
        return datetime(
            int(text[:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10] or 0),
            int(text[10:12] or 0),
            int(text[12:14] or 0),
        )
    except ValueError:
        raise _DateProblem("list.date_invalid", expected) from None


def _check_bounds(name: str, at: datetime) -> None:
    """The bounds every date Kouan keeps has (kouan.domain.values): a birth up to today, a
    journey or an expiry in 2000-2099."""
    if name == "date_of_birth":
        if not values.possible_birth_day(at.date()):
            raise _DateProblem("list.birth_out_of_range", values.BIRTH_DAY)
    elif not values.in_port_years(at):
        expected = values.IN_PORT_YEARS if name.endswith("_at") else values.DAY_IN_PORT_YEARS
        raise _DateProblem("list.date_out_of_years", expected)


def _century(year: int, *, birth: bool) -> str:
    # Nobody is born in the future: a birth year after this year's two digits is last century.
    return "19" if birth and year > date.today().year % 100 else "20"


# --- Assembling the parts of multi-part lists -------------------------------------------------


def _chains(parts: list[_Part]) -> Iterator[list[_Part]]:
    """The messages grouped into lists: a message without S010 is a list; numbered parts with
    the same common access reference (0068) are one, whatever order they came in."""
    chains: dict[str, list[_Part]] = {}
    for part in parts:
        if part.sequence is None and not part.unh.value(3, 1):
            yield [part]
        else:
            chains.setdefault(part.access, []).append(part)
    yield from chains.values()


def _assemble(chain: list[_Part], errors: list[Issue]) -> PersonList | None:
    for part in chain:
        errors.extend(part.errors)
    if any(part.errors for part in chain):
        return None
    if len(chain) > 1 or chain[0].sequence is not None:
        chain = _in_order(chain, errors)
        if not chain:
            return None
    first = chain[0].person_list
    own = [len(part.person_list.persons) for part in chain]  # before the first part holds all
    for part in chain[1:]:
        _join(first, part, chain[0], errors)
    first.source = f"PAXLST {':'.join(chain[0].head.type[1:3])}"
    _check_counts(chain, own, first, errors)
    _unknown_kind(chain[0].bgm, first)
    if not first.reference:
        first.reference = chain[0].access or chain[0].head.reference
    _number_persons(first)
    return first


def _in_order(chain: list[_Part], errors: list[Issue]) -> list[_Part]:
    """The parts sorted by their number; errors when one is missing, repeated or the last part
    never came."""
    ordered = sorted(chain, key=lambda part: part.sequence or 0)
    reference = ordered[0].access or ordered[0].head.reference
    received = ", ".join(str(part.sequence) for part in ordered)
    problems: list[Issue] = []
    seen: set[int] = set()
    for part in ordered:
        number = part.sequence or 0
        if number in seen:
            problems.append(_unh_error(part, 1, "list.part_repeated", str(number), reference))
        seen.add(number)
    for number in range(1, max(seen) + 1):
        if number not in seen:
            issue = _unh_error(ordered[-1], 1, "list.part_missing", str(number), reference)
            problems.append(
                dataclasses.replace(issue, params={**issue.params, "received": received})
            )
    if not ordered[-1].last:
        problems.append(
            _unh_error(
                ordered[-1], 2, "list.last_part_missing", str(ordered[-1].sequence), reference
            )
        )
    errors.extend(problems)
    return [] if problems else ordered


def _unh_error(part: _Part, component: int, key: str, value: str, reference: str) -> Issue:
    unh = part.unh
    issue = error(unh.place, element_id("UNH", 4, component), key, value, reference=reference)
    return located(issue, unh.number, 4, component)


def _join(first: PersonList, part: _Part, head: _Part, errors: list[Issue]) -> None:
    """A later part's persons after the first's; a part for another flight refuses the list."""
    later = part.person_list
    if later.transport_id and first.transport_id and later.transport_id != first.transport_id:
        issue = error(
            part.unh.place,
            "TDT",
            "list.parts_disagree",
            later.transport_id,
            expected_id=first.transport_id,
            part=part.sequence,
            reference=head.access or head.head.reference,
        )
        errors.append(located(issue, part.unh.number, 0))
    first.persons.extend(later.persons)
    first.warnings.extend(later.warnings)


def _check_counts(
    chain: list[_Part], own: list[int], person_list: PersonList, errors: list[Issue]
) -> None:
    """Each CNT counts the persons of its part or of the whole list; anything else is wrong."""
    total = len(person_list.persons)
    for part, part_count in zip(chain, own, strict=True):
        for seg in part.counts:
            declared = seg.value(0, 1)
            if declared.isdigit() and int(declared) in (part_count, total):
                person_list.declared_count = int(declared) if int(declared) == total else None
                continue
            key, params = "list.person_count", {"actual": total}
            if len(chain) > 1:
                key, params = "list.part_person_count", {"actual": total, "part": part_count}
            where = element_id("CNT", 1, 2)
            issue = error(seg.place, where, key, declared, qualifier=seg.value(0), **params)
            errors.append(located(issue, seg.number, 1, 2))


def _unknown_kind(bgm: Seg | None, person_list: PersonList) -> None:
    """A BGM document code other than 745, 250, 336: the kind is guessed from the roles."""
    if bgm is None or bgm.value(0) in _KINDS:
        return
    persons = person_list.persons
    crew = bool(persons) and all(p.role is Role.CREW for p in persons)
    person_list.kind = ListKind.CREW if crew else ListKind.PASSENGERS
    kind = Reason(f"list.kind.{person_list.kind.value}")
    key = "list.unknown_document_code"
    issue = warning(bgm.place, element_id("BGM", 1, 1), key, bgm.value(0), kind=kind)
    person_list.warnings.insert(0, located(issue, bgm.number, 1))


def _number_persons(person_list: PersonList) -> None:
    """Each warning about a person says which person of the list it is."""
    for number, person in enumerate(person_list.persons, 1):
        if person.warnings:
            person.warnings = [for_person(w, number) for w in person.warnings]


def _direction(legs: list[Leg], here: frozenset[str]) -> Direction | None:
    if not here or not legs:
        return None
    if _is_here(legs[-1].arrival_place, here):
        return Direction.ARRIVING
    if _is_here(legs[0].departure_place, here):
        return Direction.DEPARTING
    return None


def _is_here(place: str | None, here: frozenset[str]) -> bool:
    if not place:
        return False
    code = place.replace(" ", "").upper()
    countries = {h[:2] for h in here if len(h) == 5}
    return code in here or (len(code) == 5 and code[:2] in countries)


# --- The port call's strict persons ------------------------------------------------------------

# What each Person field is read from, to say what is missing.
_SOURCES = {
    "family_name": "a family name in the person's NAD",
    "nationality": "a nationality in NAT+2",
    "date_of_birth": "a date of birth in DTM+329",
}


def parse_paxlst(text: str) -> list[PassengerList]:
    """The lists of a PAXLST interchange as the port call takes them.

    ValidationFailed names each place that refuses it: the errors of `read_paxlst`, and each
    person who cannot be a strict Person (the segment of a bad date, or "person N field" with N
    counting the persons of the interchange). What the port call tolerates (no travel document,
    no expiry, an unknown role or qualifier) stays in each list's warnings.
    """
    result = read_paxlst(text)
    if result.errors:
        fields = [FieldError(e.segment, e.value, e.what_was_expected) for e in result.errors]
        first = fields[0]
        more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
        message = f"PAXLST: {first.field} {first.value!r} is not {first.expected}{more}"
        raise ValidationFailed(message, fields)
    errors = FieldErrors()
    lists, number = [], 0
    for person_list in result.lists:
        strict = _passenger_list(person_list)
        for person in person_list.persons:
            number += 1
            converted = _strict_person(person, number, errors)
            if converted is not None:
                strict.persons.append(converted)
                strict.roles.append("crew" if person.role is Role.CREW else "passenger")
        lists.append(strict)
    errors.raise_if_any("PAXLST")
    return lists


def split_roles(lists: list[PassengerList]) -> tuple[list[Person], list[Person]]:
    """The crew (NAD+FM, DDT) and the passengers (NAD+FL, DDU, and any other role) of PAXLST
    lists, in order."""
    crew: list[Person] = []
    passengers: list[Person] = []
    for passenger_list in lists:
        for person, role in zip(passenger_list.persons, passenger_list.roles, strict=True):
            (crew if role == "crew" else passengers).append(person)
    return crew, passengers


def _passenger_list(person_list: PersonList) -> PassengerList:
    first, last = person_list.departure, person_list.arrival
    return PassengerList(
        version=person_list.source.removeprefix("PAXLST ") or "D:05B",
        sender=person_list.sender,
        transport_id=person_list.transport_id,
        departure_port=first.departure_place if first else None,
        arrival_port=last.arrival_place if last else None,
        departure_at=first.departure_at if first else None,
        arrival_at=last.arrival_at if last else None,
        declared_count=person_list.declared_count,
        warnings=list(person_list.all_warnings()),
    )


def _strict_person(person: ListedPerson, number: int, errors: FieldErrors) -> Person | None:
    """The person as a strict Person, or None with the reasons in `errors`."""
    unfit = [w for w in person.warnings if w.key == "list.unfit_text"]
    for issue in unfit:
        expected = values.NO_NUL if "\x00" in issue.value else values.NO_SURROGATE
        errors.add(f"person {number} {issue.params.get('field')}", issue.value, expected)
    if unfit:
        return None
    try:
        return person.to_person()
    except pydantic.ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem["loc"])
            errors.add(*_why_not(person, number, where, problem))
        return None


def _why_not(
    person: ListedPerson, number: int, where: str, problem: Any
) -> tuple[str, object, str]:
    """(field, value, expected) of one reason a person is no strict Person: the segment the
    reader warned about when it found a bad value there, else the person's field."""
    for issue in person.warnings:
        if issue.params.get("field") == where and issue.number is not None:
            return issue.segment, issue.value, issue.what_was_expected
    if problem["type"] == "missing":
        return f"person {number} {where}", "", _SOURCES.get(where, f"a value for {where}")
    if problem["type"] == "value_error":
        return f"person {number} {where}", problem["input"], str(problem["ctx"]["error"])
    return f"person {number} {where}", problem["input"], problem["msg"]


# --- Writing -----------------------------------------------------------------------------------

_WRITE = Separators(":", "+", ".", "?", "*", "'")
_PERSON_NAD = {
    (Role.PASSENGER, False): "FL",
    (Role.PASSENGER, True): "DDU",
    (Role.CREW, False): "FM",
    (Role.CREW, True): "DDT",
}
# S010/0070 has two digits.
MAX_PARTS = 99


def write_paxlst(
    passenger_list: PassengerList, *, sender: str, recipient: str, reference: str
) -> str:
    """A PAXLST D:05B interchange holding the port call's list as one message (tests, demos).

    A crew member's rank is not written: PAXLST has no place for it.
    """
    for role in passenger_list.roles:
        if role not in ("crew", "passenger"):
            raise ValueError(f"role {role!r}: expected one of passenger, crew")
    roles = [Role(role) for role in passenger_list.roles]
    crew = bool(roles) and set(roles) == {Role.CREW}
    person_list = PersonList(
        kind=ListKind.CREW if crew else ListKind.PASSENGERS,
        sender=passenger_list.sender,
        transport_id=passenger_list.transport_id,
        legs=[
            Leg(
                transport_id=passenger_list.transport_id,
                departure_place=passenger_list.departure_port,
                departure_at=passenger_list.departure_at,
                arrival_place=passenger_list.arrival_port,
                arrival_at=passenger_list.arrival_at,
            )
        ],
        persons=[
            listed_person(person, role)
            for person, role in zip(passenger_list.persons, roles, strict=True)
        ],
    )
    return write_person_list(person_list, sender=sender, recipient=recipient, reference=reference)


def write_person_list(
    person_list: PersonList,
    *,
    sender: str,
    recipient: str,
    reference: str,
    part_size: int | None = None,
    when: datetime | None = None,
) -> str:
    """A PAXLST D:05B interchange of the list: one message, or parts of at most `part_size`
    persons (UNH S010 01:C ... nn:F, sharing `reference` as the common access reference).

    What PAXLST has no place for is not written: a crew member's rank, the party, a cruise's
    deck, cabin and groups.
    """
    persons = person_list.persons
    size = part_size or max(len(persons), 1)
    chunks = [persons[n : n + size] for n in range(0, len(persons), size)] or [[]]
    if len(chunks) > MAX_PARTS:
        raise ValueError(f"{len(chunks)} parts: at most {MAX_PARTS} (S010/0070 has two digits)")
    now = when or datetime.now()
    lines = [
        _WRITE.una,
        _segment(
            "UNB", ["UNOC", "4"], sender, recipient, [f"{now:%y%m%d}", f"{now:%H%M}"], reference
        ),
    ]
    for number, chunk in enumerate(chunks, 1):
        status = _status(number, len(chunks))
        lines.extend(_message(person_list, chunk, number, reference, status))
    lines.append(_segment("UNZ", str(len(chunks)), reference))
    return "\n".join(lines) + "\n"


def _status(number: int, parts: int) -> list[str] | None:
    """S010 of a part: its number, C on the first and F on the last; none for a whole list."""
    if parts == 1:
        return None
    return [f"{number:02d}", "C" if number == 1 else "F" if number == parts else ""]


def _message(
    person_list: PersonList,
    persons: list[ListedPerson],
    number: int,
    reference: str,
    status: list[str] | None,
) -> list[str]:
    access = reference if status else ""
    body = [_bgm_segment(person_list)]
    body.append(_segment("NAD", "MS", "", "", person_list.sender))
    body.extend(_journey_segments(person_list))
    for person in persons:
        body.extend(_person_segments(person))
    qualifier = "42" if person_list.kind is ListKind.PASSENGERS else "41"
    body.append(_segment("CNT", [qualifier, str(len(persons))]))
    unh = _segment("UNH", str(number), ["PAXLST", "D", "05B", "UN", "IATA"], access, status or "")
    return [unh, *body, _segment("UNT", str(len(body) + 2), str(number))]


def _bgm_segment(person_list: PersonList) -> str:
    kind, function = person_list.kind, person_list.function
    if function is ListFunction.ORIGINAL:
        return _segment("BGM", _KIND_CODES[kind])
    identifier, code = _WRITTEN_FUNCTION.get((kind, function), ("", _FUNCTION_1225[function]))
    return _segment("BGM", _KIND_CODES[kind], identifier, code)


def _journey_segments(person_list: PersonList) -> list[str]:
    out = []
    legs = person_list.legs or [Leg(transport_id=person_list.transport_id)]
    for leg in legs:
        transport_id = leg.transport_id or person_list.transport_id or ""
        vessel = ["", "", "", person_list.vessel or ""]  # C222: the vessel's name
        carrier = person_list.carrier or ""
        out.append(_segment("TDT", "20", transport_id, "", "", carrier, "", "", "", vessel))
        for loc, place, dtm, at in (
            ("125", leg.departure_place, "189", leg.departure_at),
            ("87", leg.arrival_place, "232", leg.arrival_at),
        ):
            if place:
                out.append(_segment("LOC", loc, place))
            if at:
                out.append(_segment("DTM", [dtm, f"{at:%Y%m%d%H%M}", "203"]))
    return out


def _person_segments(person: ListedPerson) -> list[str]:
    qualifier = _PERSON_NAD.get((person.role, person.transit)) or person.qualifier or "ZZZ"
    name = [person.family_name, person.given_names] if person.given_names else person.family_name
    out = [_segment("NAD", qualifier, "", "", name)]
    if person.sex:
        out.append(_segment("ATT", "2", "", person.sex))
    if person.date_of_birth:
        out.append(_segment("DTM", ["329", f"{person.date_of_birth:%Y%m%d}", "102"]))
    out.extend(_segment("FTX", "BAG", "", "", tag) for tag in person.bag_tags)
    for qualifier, place in (
        ("178", person.embarkation),
        ("179", person.disembarkation),
        ("180", person.place_of_birth),
        ("174", person.residence and country_alpha3(person.residence)),
    ):
        if place:
            out.append(_segment("LOC", qualifier, place))
    if person.nationality:
        out.append(_segment("NAT", "2", country_alpha3(person.nationality)))
    for qualifier, reference in (("AVF", person.booking_reference), ("SEA", person.seat)):
        if reference:
            out.append(_segment("RFF", [qualifier, reference]))
    for document in person.documents:
        out.append(_segment("DOC", [document.type, "110", "111"], document.number or ""))
        if document.expiry:
            out.append(_segment("DTM", ["36", f"{document.expiry:%Y%m%d}", "102"]))
        if document.issuing_state:
            out.append(_segment("LOC", "91", country_alpha3(document.issuing_state)))
    return out


def _segment(tag: str, *elements: str | list[str]) -> str:
    """One segment, its values released, trailing empty elements and components left out."""
    escape = _WRITE.escape
    texts = [
        escape(e) if isinstance(e, str) else ":".join(map(escape, _trimmed(e))) for e in elements
    ]
    return "+".join([tag, *_trimmed(texts)]) + "'"


def _trimmed(values_: list[str]) -> list[str]:
    """Without its trailing empty values (before escaping: a released ":" is not empty)."""
    end = len(values_)
    while end and not values_[end - 1]:
        end -= 1
    return values_[:end]


# --- CONTRL: the answer to an interchange --------------------------------------------------------
#
# A refused PAXLST is answered with a CONTRL (ISO 9735 syntax and service report), not a CUSRES:
# what refuses a list here is its envelope, its counts or its structure, which CONTRL reports
# segment by segment and element by element in codes every EDI system reads (0085), so the
# carrier's system can resend without a person reading the answer. A CUSRES answers the content
# (a person not to board): it is for what the rules decide later, not for an unreadable list.

# ISO 9735 syntax error codes (0085) of each error.
_ERROR_CODES = {
    "edifact.not_edifact": "18",
    "edifact.no_unb": "13",
    "edifact.bad_una": "22",
    "edifact.cut_off": "18",
    "edifact.after_unz": "33",
    "edifact.outside_message": "33",
    "edifact.no_unt": "13",
    "edifact.no_une": "13",
    "edifact.no_unz": "13",
    "edifact.segment_count": "29",
    "edifact.message_count": "29",
    "edifact.group_count": "29",
    "edifact.reference": "28",
    "list.not_paxlst": "14",
    "list.no_bgm": "13",
    "list.no_transport": "13",
    "list.person_count": "29",
    "list.part_person_count": "29",
    "list.part_number": "12",
    "list.part_repeated": "26",
    "list.part_missing": "13",
    "list.last_part_missing": "13",
    "list.parts_disagree": "12",
}
_REJECTED, _ACKNOWLEDGED = "4", "7"


def write_contrl(
    result: ListResult, *, sender: str, reference: str, when: datetime | None = None
) -> str:
    """The CONTRL answering the interchange `result` read: accepted (UCI action 7), or rejected
    (4) with each error by message (UCM), segment position (UCS) and element (UCD)."""
    head = result.interchange or InterchangeHead(sender="", recipient="", control_ref="")
    now = when or datetime.now()
    version = ["CONTRL", "4", "1", "UN"] if head.version == "4" else ["CONTRL", "D", "3", "UN"]
    by_message, outside = _errors_by_message(result)
    body = [_uci(head, result, outside)]
    for message, errors in by_message:
        body.extend(_ucm_group(message, errors))
    lines = [
        _WRITE.una,
        _segment(
            "UNB",
            [head.syntax or "UNOC", head.version or "4"],
            sender,
            head.sender,
            [f"{now:%y%m%d}", f"{now:%H%M}"],
            reference,
        ),
        _segment("UNH", "1", version),
        *body,
        _segment("UNT", str(len(body) + 2), "1"),
        _segment("UNZ", "1", reference),
    ]
    return "\n".join(lines) + "\n"


def _errors_by_message(
    result: ListResult,
) -> tuple[list[tuple[MessageHead, list[Issue]]], list[Issue]]:
    """The errors of each message (by where its UNH is), and those of the interchange itself."""
    heads = sorted(result.messages, key=lambda head: head.number)
    grouped: dict[int, list[Issue]] = {}
    outside: list[Issue] = []
    for issue in result.errors:
        head = _message_of(issue, heads)
        if head is None:
            outside.append(issue)
        else:
            grouped.setdefault(head.number, []).append(issue)
    by_number = {head.number: head for head in heads}
    return [(by_number[n], errors) for n, errors in sorted(grouped.items())], outside


def _message_of(issue: Issue, heads: list[MessageHead]) -> MessageHead | None:
    if issue.number is None or issue.key in _INTERCHANGE_KEYS:
        return None
    owner = None
    for head in heads:
        if head.number <= issue.number:
            owner = head
    return owner


_INTERCHANGE_KEYS = frozenset(
    {
        "edifact.not_edifact",
        "edifact.no_unb",
        "edifact.bad_una",
        "edifact.cut_off",
        "edifact.after_unz",
        "edifact.outside_message",
        "edifact.no_une",
        "edifact.no_unz",
        "edifact.message_count",
        "edifact.group_count",
    }
)


def _uci(head: InterchangeHead, result: ListResult, outside: list[Issue]) -> str:
    action = _REJECTED if result.errors else _ACKNOWLEDGED
    elements: list[str | list[str]] = [head.control_ref, head.sender, head.recipient, action]
    if outside:
        first = outside[0]
        tag = first.segment if first.segment.isalpha() else _tag_of(first.segment)
        elements += [_ERROR_CODES.get(first.key, "18"), tag]
    return _segment("UCI", *elements)


def _ucm_group(message: MessageHead, errors: list[Issue]) -> list[str]:
    """UCM for one message, then a UCS (and UCD) for each error in a segment of it."""
    located_errors = [e for e in errors if e.at is not None]
    loose = [e for e in errors if e.at is None]  # a segment of it missing (its UNT)
    ucm: list[str | list[str]] = [message.reference, list(message.type), _REJECTED]
    if loose:
        ucm += [_ERROR_CODES.get(loose[0].key, "18"), loose[0].segment]
    out = [_segment("UCM", *ucm)]
    for issue in located_errors:
        position = (issue.number or 0) - message.number + 1
        code = _ERROR_CODES.get(issue.key, "12")
        out.append(_segment("UCS", str(position), code if not issue.at or not issue.at[0] else ""))
        if issue.at and issue.at[0]:
            out.append(_segment("UCD", code, [str(issue.at[0]), str(issue.at[1])]))
    return out


def _tag_of(place: str) -> str:
    """The tag of a place "segment 12 (UNZ)": "UNZ"; "" when the place names none."""
    inside = place.partition("(")[2].partition(")")[0]
    return inside.partition("+")[0]
