"""The contact list of a confirmed case, for the information co-check (信息协查).

Given the case and the people aboard the same flight or voyage, `contacts` lists who must be
traced and why (message keys with parameters, see kouan.domain.health.TEMPLATES):

- seated within N rows of the case, either side (N = 2 by default), the case's row included;
- the same booking reference or travelling party (an infant on a lap has no seat but a booking);
- the cabin crew of the case's cabin zone (if the case is cabin crew: the crew of its zone and
  the passengers seated in it);
- on a cruise: the same cabin, the same deck and the same dining group.

How rows are counted. Row *numbers* have gaps: no row 13 (or 4 and 14 with Chinese carriers), a
jump between cabins (business 1-7, economy from 30). A seat map (`SeatMap`) says which rows
physically exist, on which deck, and the letters of each zone's rows (no I, aisles as spaces).
With a map, the distance is counted in rows that exist on the same deck: 12 and 14 with no 13
are one row apart, 7 and 30 across the cabin divider are one row apart, and seats on different
decks are never within N rows. Without a map each row number counts as a row (12 and 14 are two
apart): the list is then longer across a gap's far side only if N allows, so give a map when the
aircraft has gaps. A seat that cannot be read, or that the map does not have (a row or a letter
it lacks), is not guessed at: its person is listed as *unplaced* for the officers to check by
hand (and is still a contact by booking, party or crew zone).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kouan.domain.health import reason
from kouan.domain.reasons import Reason

PASSENGER, CREW = "passenger", "crew"
MAIN_DECK, UPPER_DECK = "main", "upper"
DEFAULT_ROWS = 2
# "12A", "012C", "3 K", "12a": a row number (leading zeros as some systems write it) and a letter.
_SEAT = re.compile(r"\s*0*([0-9]{1,3})\s*([A-Za-z])\s*")


class SeatUnreadable(ValueError):
    """A seat that is not a row number followed by a letter."""


@dataclass(frozen=True, order=True)
class Seat:
    row: int
    letter: str

    def __str__(self) -> str:
        return f"{self.row}{self.letter}"


def parse_seat(text: str) -> Seat:
    """The seat of "12A", "012C", " 3k "; SeatUnreadable for anything else (row 0 included)."""
    match = _SEAT.fullmatch(text)
    if match is None or int(match[1]) == 0:
        raise SeatUnreadable(f"seat {text!r} is not a row number and a letter, such as 12A")
    return Seat(int(match[1]), match[2].upper())


def read_seat(text: str | None) -> Seat | None:
    """The seat, or None when there is none or it cannot be read."""
    if not text or not text.strip():
        return None
    try:
        return parse_seat(text)
    except SeatUnreadable:
        return None


# --- seat maps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Zone:
    """Rows `first_row`..`last_row` of one cabin zone (numbers as printed; the map's missing rows
    are not rows), their seats across (`layout`: letters left to right, aisles as spaces, e.g.
    "ABC DEFG HJK" with no I) and their deck. A cabin whose rows differ in width is several
    zones of the same name."""

    name: str
    first_row: int
    last_row: int
    layout: str
    deck: str = MAIN_DECK

    def __post_init__(self) -> None:
        if not 1 <= self.first_row <= self.last_row:
            raise ValueError(f"zone {self.name}: rows {self.first_row}-{self.last_row}")
        if not re.fullmatch(r"[A-Z]+( +[A-Z]+)*", self.layout.strip()):
            raise ValueError(f"zone {self.name}: layout {self.layout!r} is not letters and aisles")

    @property
    def letters(self) -> frozenset[str]:
        return frozenset(self.layout.replace(" ", ""))


@dataclass(frozen=True)
class Place:
    """Where a seat is: its zone (None without a map), its deck, and its row's rank among the rows
    that exist on that deck (the row number itself without a map)."""

    seat: Seat
    zone: str | None
    deck: str
    rank: int


@dataclass(frozen=True)
class SeatMap:
    """An aircraft's (or a ferry's) seats: zones and the row numbers not used (13...)."""

    zones: tuple[Zone, ...]
    missing_rows: frozenset[int] = frozenset()
    _rows: dict[int, tuple[Zone, ...]] = field(init=False, repr=False, compare=False)
    _ranks: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows: dict[int, list[Zone]] = {}
        for zone in self.zones:
            for row in range(zone.first_row, zone.last_row + 1):
                if row not in self.missing_rows:
                    rows.setdefault(row, []).append(zone)
        for row, zones in rows.items():
            # A row is on one deck: a boarding pass names a seat by row and letter only.
            if len({z.deck for z in zones}) > 1:
                raise ValueError(f"row {row} is on two decks")
        object.__setattr__(self, "_rows", {row: tuple(zones) for row, zones in rows.items()})
        object.__setattr__(self, "_ranks", _ranks(self._rows))

    def place(self, seat: Seat) -> Place | None:
        """Where the seat is, or None when the map has no such row or letter."""
        for zone in self._rows.get(seat.row, ()):
            if seat.letter in zone.letters:
                return Place(seat, zone.name, zone.deck, self._ranks[seat.row])
        return None


def _ranks(rows: dict[int, tuple[Zone, ...]]) -> dict[int, int]:
    """Each row's position among the rows of its deck, front to back (numbers ascending)."""
    ranks: dict[int, int] = {}
    decks = {zones[0].deck for zones in rows.values()}
    for deck in decks:
        on_deck = sorted(row for row, zones in rows.items() if zones[0].deck == deck)
        ranks.update({row: rank for rank, row in enumerate(on_deck)})
    return ranks


def locate(seat_text: str | None, seat_map: SeatMap | None = None) -> Place | None:
    """Where a seat is on the map (or by its row number without one); None when it cannot be
    read or is not on the map."""
    seat = read_seat(seat_text)
    if seat is None:
        return None
    if seat_map is None:
        return Place(seat, None, MAIN_DECK, seat.row)
    return seat_map.place(seat)


def row_distance(a: Place, b: Place) -> int | None:
    """Rows between two seats (0 in the same row); None on different decks."""
    return abs(a.rank - b.rank) if a.deck == b.deck else None


# --- people -----------------------------------------------------------------------------------


class Traveller(Protocol):
    """What the contact list reads of a person aboard (a passenger list's or crew list's row)."""

    @property
    def id(self) -> Hashable: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...  # "passenger" or "crew"
    @property
    def seat(self) -> str | None: ...
    @property
    def booking(self) -> str | None: ...  # booking reference (PNR)
    @property
    def party(self) -> str | None: ...  # travelling party: a tour group, a family
    @property
    def deck(self) -> str | None: ...  # cruise
    @property
    def cabin(self) -> str | None: ...  # cruise
    @property
    def dining_group(self) -> str | None: ...  # cruise: sitting and table
    @property
    def crew_zone(self) -> str | None: ...  # the cabin zone a cabin crew member serves


@dataclass(frozen=True)
class Aboard:
    """A person aboard, as a plain record (a Traveller)."""

    id: Hashable
    name: str
    role: str = PASSENGER
    seat: str | None = None
    booking: str | None = None
    party: str | None = None
    deck: str | None = None
    cabin: str | None = None
    dining_group: str | None = None
    crew_zone: str | None = None


def _same(a: str | None, b: str | None) -> bool:
    """Both given and equal, spaces and case aside (PNRs are written either way)."""
    return bool(a and b and a.strip() and a.strip().upper() == b.strip().upper())


def _norm(value: str | None) -> str | None:
    return value.strip().upper() if value and value.strip() else None


# --- the contact list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    person: Traveller
    reasons: tuple[Reason, ...]
    rows: int | None = None  # how many rows from the case, when seated near it

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.person.id,
            "name": self.person.name,
            "role": self.person.role,
            "seat": self.person.seat,
            "rows": self.rows,
            "reasons": [r.as_dict() for r in self.reasons],
            "text": "; ".join(r.text for r in self.reasons),
        }


@dataclass(frozen=True)
class ContactList:
    """The contacts of a case, in the order the people were given; `unplaced` are those aboard
    whose seat could not be read or found on the map (to be checked by hand)."""

    case: Traveller
    case_place: Place | None
    rows: int
    contacts: tuple[Contact, ...]
    unplaced: tuple[Traveller, ...]

    def ids(self) -> list[Hashable]:
        return [c.person.id for c in self.contacts]

    def as_dict(self) -> dict[str, Any]:
        """The list as an alert's payload carries it (JSON)."""
        place = self.case_place
        return {
            "case": {
                "id": self.case.id,
                "name": self.case.name,
                "role": self.case.role,
                "seat": self.case.seat,
                "zone": place.zone if place else None,
            },
            "rows": self.rows,
            "contacts": [c.as_dict() for c in self.contacts],
            "unplaced": [{"id": p.id, "name": p.name, "seat": p.seat} for p in self.unplaced],
        }


@dataclass(frozen=True)
class _Case:
    person: Traveller
    place: Place | None
    zones: frozenset[str]  # the cabin zones the case sat in or served
    seated_unknown_zone: bool  # seated, but in no zone known (no map, or a seat not on it)


def contacts(
    case: Traveller,
    persons: Iterable[Traveller],
    rows: int = DEFAULT_ROWS,
    seat_map: SeatMap | None = None,
) -> ContactList:
    """The contact list of a confirmed case among `persons` (those aboard the same flight or
    voyage; the case among them is skipped, and anyone listed twice counts once)."""
    if rows < 0:
        raise ValueError("rows must be 0 or more")
    known = _case(case, seat_map)
    found: list[Contact] = []
    unplaced: list[Traveller] = []
    seen: set[Hashable] = {case.id}
    for person in persons:
        if person.id in seen:
            continue
        seen.add(person.id)
        place = locate(person.seat, seat_map)
        if place is None and person.seat and person.seat.strip():
            unplaced.append(person)
        why, distance = _reasons(known, person, place, rows)
        if why:
            found.append(Contact(person, tuple(why), distance))
    return ContactList(case, known.place, rows, tuple(found), tuple(unplaced))


def _case(case: Traveller, seat_map: SeatMap | None) -> _Case:
    place = locate(case.seat, seat_map)
    zones = {place.zone} if place is not None and place.zone else set()
    if case.role == CREW and (zone := _norm(case.crew_zone)):
        zones.add(zone)
    seated = bool(case.seat and case.seat.strip())
    unknown = seated and (place is None or place.zone is None)
    return _Case(case, place, frozenset(_norm(z) or "" for z in zones), unknown)


def _reasons(
    case: _Case, person: Traveller, place: Place | None, rows: int
) -> tuple[list[Reason], int | None]:
    why: list[Reason] = []
    distance = _seat_distance(case.place, place, rows)
    if distance is not None and place is not None and case.place is not None:
        why.append(_seat_reason(case.place, place, distance))
    why += _shared(case.person, person)
    why += _crew(case, person, place)
    return why, distance


def _seat_distance(a: Place | None, b: Place | None, rows: int) -> int | None:
    if a is None or b is None:
        return None
    distance = row_distance(a, b)
    return distance if distance is not None and distance <= rows else None


def _seat_reason(case: Place, place: Place, distance: int) -> Reason:
    seat, case_seat = str(place.seat), str(case.seat)
    if distance == 0:
        return reason("contact.same_row", seat=seat, case_seat=case_seat)
    return reason("contact.seat_rows", seat=seat, rows=distance, case_seat=case_seat)


def _shared(case: Traveller, person: Traveller) -> list[Reason]:
    """Reasons of what the two share: booking, party, and on a cruise cabin, deck, dining."""
    pairs: Sequence[tuple[str, str, str | None, str | None]] = (
        ("contact.booking", "booking", case.booking, person.booking),
        ("contact.party", "party", case.party, person.party),
        ("contact.cabin", "cabin", case.cabin, person.cabin),
        ("contact.deck", "deck", case.deck, person.deck),
        ("contact.dining_group", "group", case.dining_group, person.dining_group),
    )
    return [
        reason(key, **{name: _norm(mine)})
        for key, name, mine, theirs in pairs
        if _same(mine, theirs)
    ]


def _crew(case: _Case, person: Traveller, place: Place | None) -> list[Reason]:
    """The crew of the case's zone; if the case is cabin crew, also those seated in its zone."""
    found = []
    zone = _norm(person.crew_zone) if person.role == CREW else None
    if zone is not None and zone in case.zones:
        found.append(reason("contact.crew_zone", zone=zone))
    elif zone is not None and case.seated_unknown_zone:
        # Where the case sat cannot be told: every cabin crew member may have served it.
        found.append(reason("contact.crew_zone_unknown"))
    case_crew_zone = _norm(case.person.crew_zone) if case.person.role == CREW else None
    seated_zone = _norm(place.zone) if place is not None else None
    if case_crew_zone is not None and seated_zone == case_crew_zone and person.role != CREW:
        found.append(reason("contact.served_by_case", zone=seated_zone))
    return found
