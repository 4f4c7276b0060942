"""The demo's passengers: a week of international flights at Qingdao Jiaodong (TAO) and two cruise
calls at the seaport (CNTAO), with their passenger and crew lists (`PersonList`), seats, bags and
health declarations; the border's watch list, a few thousand invented entries of which some are
the week's travellers under another spelling; and the week's epidemic alert (H1N1 as in 2009).

Pure and deterministic: the same week, seed and scale give the same people; no database, no
services. Everything comes from the files in data/: airline_flights.csv (the week's schedule:
airline, flight, direction, the other airport, ISO weekdays, the local time at TAO, block
minutes, seat map, typical load), airports.csv (the other airports, their time zones and who
flies from them), seat_maps.toml, traveller_names.toml, cruise_calls.toml and passenger_week.toml
(parties, bags, health, the planted imperfections and the watch list). Every person is invented.

Indexes: a person is named by their index in their list (`passengers[41]`, from 0), as the bags
(`DemoBag.owner`), the health declarations (`HealthDeclaration.person_id`), the families and the
crew's cabin zones name them.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from random import Random
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kouan.domain.contacts import SeatMap, Zone
from kouan.domain.health import AlertArea, EpidemicAlert, HealthDeclaration, Stay, h1n1_2009
from kouan.domain.health import alert_area_stays as _alert_area_stays
from kouan.domain.names import Identity, japanese, korean, match, parse
from kouan.domain.person_list import (
    Direction,
    Leg,
    ListedPerson,
    ListKind,
    PersonList,
    Role,
    TravelDocument,
    missing_details,
)

SEED = 2009
AIRPORT = "TAO"
SEAPORT = "CNTAO"
WATCH_LIST_COLUMNS = (
    "id", "name", "aliases", "date_of_birth", "nationality", "document_number", "reason",
)  # fmt: skip
Sex = Literal["M", "F"]
_PNR_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0 or 1: read aloud at counters
_DOCUMENT_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_QUALIFIER = {Role.PASSENGER: "FL", Role.CREW: "FM"}  # as PAXLST's NAD names them


# --- the data files -------------------------------------------------------------------------


def _text(name: str) -> str:
    return resources.files("kouan.demo").joinpath("data", name).read_text("utf-8")


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_text(name))


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_text(name).splitlines()))


@cache
def _week_data() -> dict[str, Any]:
    return _toml("passenger_week.toml")


# --- names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameForm:
    """A family or given name: its forms at home (Hangul; kanji and kana; Han characters;
    Cyrillic; Thai; Latin with diacritics) and its passport spelling."""

    native: tuple[str, ...]
    latin: str

    @classmethod
    def read(cls, text: str) -> NameForm:
        *native, latin = text.split("|")
        return cls(tuple(native), latin)

    @property
    def home(self) -> str:
        return self.native[0] if self.native else self.latin


@dataclass(frozen=True)
class NameBook:
    """The names of one nationality and how its people are named and documented."""

    nationality: str
    script: str
    family: tuple[NameForm, ...]
    men: tuple[NameForm, ...]
    women: tuple[NameForm, ...]
    passport: str  # the number's pattern: "#" a digit, "@" a letter
    visa: bool  # needs a visa to enter China
    joined: bool  # the native full name has no space between family and given name
    family_first: bool
    keeps_name: bool  # a wife keeps her own family name
    tour_operators: tuple[tuple[str, str], ...]
    middle_share: float = 0.0
    english: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    english_share: float = 0.0
    feminine_after: tuple[str, ...] = ()
    patronymics: tuple[tuple[str, str], ...] = ()

    def family_name(self, rng: Random) -> NameForm:
        """A family name, the commonest likelier (as family names are spread)."""
        return self.family[min(len(self.family) - 1, int(len(self.family) * rng.random() ** 1.8))]

    def given(self, rng: Random, woman: bool) -> NameForm:
        return rng.choice(self.women if woman else self.men)

    def given_names(self, rng: Random, woman: bool) -> str:
        """A passport's given names: one, or with a middle name, or (Hong Kong) an English one."""
        first = self.given(rng, woman)
        names = [first.latin]
        if rng.random() < self.middle_share:
            names.append(
                rng.choice([g for g in (self.women if woman else self.men) if g != first]).latin
            )
        if self.english_share and rng.random() < self.english_share:
            names.append(rng.choice(self.english[1 if woman else 0]))
        return " ".join(names)

    def feminine(self, family: NameForm) -> NameForm:
        """A woman's form of a family name (Russian -ов -> -ова); the name itself elsewhere."""
        if not family.native or not family.native[0].endswith(self.feminine_after or ("\0",)):
            return family
        return NameForm((family.native[0] + "а",), family.latin + "A")

    def native_family(self, latin: str) -> list[NameForm]:
        """The family names a passport spelling may stand for (HSU: 許 or 徐), women's too."""
        found = [f for f in self.family if f.latin == latin]
        if not found and self.feminine_after and latin.endswith("A"):
            found = [self.feminine(f) for f in self.family if f.latin == latin[:-1]]
        return found

    def native_given(self, latin: str) -> list[NameForm]:
        """The given names a passport's given names begin with (a middle or English name after)."""
        words = latin.split()
        for length in range(len(words), 0, -1):
            head = " ".join(words[:length])
            found = [g for g in (*self.men, *self.women) if g.latin == head]
            if found:
                return found
        return []

    def full_native(self, family: NameForm, given: NameForm) -> str:
        """The name as written at home: 김민준, 山田 太郎, Иванов Сергей, Jürgen Müller."""
        if self.joined:
            return family.home + given.home
        return f"{family.home} {given.home}" if self.family_first else f"{given.home} {family.home}"


def _forms(items: list[str]) -> tuple[NameForm, ...]:
    return tuple(NameForm.read(item) for item in items)


@cache
def name_books() -> dict[str, NameBook]:
    """By nationality (ISO 3166 alpha-2)."""
    data = _toml("traveller_names.toml")
    return {code: _book(code, table) for code, table in data.items() if isinstance(table, dict)}


def _book(code: str, table: dict[str, Any]) -> NameBook:
    return NameBook(
        nationality=code,
        script=table["script"],
        family=_forms(table["family"]),
        men=_forms(table["men"]),
        women=_forms(table["women"]),
        passport=table["passport"],
        visa=table["visa"],
        joined=table["joined"],
        family_first=table.get("family_first", True),
        keeps_name=table["married_name"] == "own",
        tour_operators=tuple((op[0], op[1]) for op in table.get("tour_operators", ())),
        middle_share=table.get("middle_share", 0.0),
        english=(tuple(table.get("english_men", ())), tuple(table.get("english_women", ()))),
        english_share=table.get("english_share", 0.0),
        feminine_after=tuple(table.get("feminine_after", ())),
        patronymics=tuple(_pair(p) for p in table.get("patronymics", ())),
    )


def _pair(text: str) -> tuple[str, str]:
    man, woman = text.split("|")
    return man, woman


def _visa_pattern() -> str:
    return str(_toml("traveller_names.toml")["visa_number"])


# --- airports, the schedule and seat maps ---------------------------------------------------


@dataclass(frozen=True)
class Airport:
    iata: str
    name: str
    name_zh: str
    country: str
    zone: ZoneInfo
    travellers: Mapping[str, float]  # nationality -> weight, of who flies from or to it


@cache
def airports() -> dict[str, Airport]:
    return {
        row["iata"]: Airport(
            row["iata"],
            row["name"],
            row["name_zh"],
            row["country"],
            ZoneInfo(row["time_zone"]),
            {n: float(w) for n, w in (pair.split(":") for pair in row["travellers"].split())},
        )
        for row in _rows("airports.csv")
    }


@dataclass(frozen=True)
class ScheduledFlight:
    """A flight of the weekly schedule: `time` is local at TAO (the arrival of an arriving
    flight, the departure of a departing one), `days` ISO weekdays (1 Monday)."""

    airline: str
    airline_name: str
    airline_name_zh: str
    prefix: str  # the airline's three-digit code, which begins its bag tags
    crew_from: tuple[str, ...]
    number: str
    direction: Direction
    origin: str
    destination: str
    days: frozenset[int]
    time: time
    block: timedelta
    seat_map: str
    load: float

    @property
    def far(self) -> str:
        """The other airport."""
        return self.origin if self.direction is Direction.ARRIVING else self.destination


@cache
def schedule() -> tuple[ScheduledFlight, ...]:
    return tuple(_scheduled(row) for row in _rows("airline_flights.csv"))


def _scheduled(row: dict[str, str]) -> ScheduledFlight:
    return ScheduledFlight(
        airline=row["airline"],
        airline_name=row["airline_name"],
        airline_name_zh=row["airline_name_zh"],
        prefix=row["prefix"],
        crew_from=tuple(row["crew"].split()),
        number=row["flight"],
        direction=Direction(row["direction"]),
        origin=row["origin"],
        destination=row["destination"],
        days=frozenset(int(d) for d in row["days"]),
        time=time.fromisoformat(row["time"]),
        block=timedelta(minutes=int(row["block_minutes"])),
        seat_map=row["seat_map"],
        load=float(row["load"]),
    )


@dataclass(frozen=True)
class LayoutZone:
    name: str
    cabin: str  # J business, Y economy
    first_row: int
    last_row: int
    layout: str


@dataclass(frozen=True)
class SeatLayout:
    """An aircraft's seats as the demo's data give them, and the crew it flies with."""

    name: str
    aircraft: str
    pilots: int
    cabin_crew: int
    missing_rows: frozenset[int]
    zones: tuple[LayoutZone, ...]

    def seats(self, cabin: str) -> list[tuple[str, str]]:
        """The cabin's seats front to back, left to right: (seat, zone)."""
        return [
            (f"{row}{letter}", zone.name)
            for zone in self.zones
            if zone.cabin == cabin
            for row in range(zone.first_row, zone.last_row + 1)
            if row not in self.missing_rows
            for letter in zone.layout.replace(" ", "")
        ]

    @property
    def capacity(self) -> int:
        return len(self.seats("J")) + len(self.seats("Y"))

    @property
    def zone_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(zone.name for zone in self.zones))

    def seat_map(self) -> SeatMap:
        zones = tuple(Zone(z.name, z.first_row, z.last_row, z.layout) for z in self.zones)
        return SeatMap(zones, self.missing_rows)


@cache
def seat_layouts() -> dict[str, SeatLayout]:
    return {
        name: SeatLayout(
            name,
            table["aircraft"],
            table["pilots"],
            table["cabin_crew"],
            frozenset(table["missing_rows"]),
            tuple(LayoutZone(**zone) for zone in table["zones"]),
        )
        for name, table in _toml("seat_maps.toml").items()
    }


def seat_map(name: str) -> SeatMap:
    """The seat map of a layout ("A321"), for the contact list of a case."""
    return seat_layouts()[name].seat_map()


# --- what the generator gives -----------------------------------------------------------------


@dataclass(frozen=True)
class DemoBag:
    tag: str  # IATA license plate: 0, the airline's three-digit code, a six-digit serial
    owner: int  # the passenger's index in the flight's list
    kg: float


@dataclass(frozen=True)
class Imperfection:
    """A record left imperfect on purpose: a person of a list (by index) and what is wrong
    ("no_document", "no_expiry", "expired_passport", "no_visa")."""

    list_kind: ListKind
    index: int
    what: str


@dataclass(frozen=True, eq=False)
class DemoFlight:
    """One flight of the week at TAO: `scheduled_at` in UTC (the arrival of an arriving flight,
    the departure of a departing one; local time is Asia/Shanghai)."""

    airline: str
    airline_name: str
    airline_name_zh: str
    number: str
    direction: Direction
    origin: str
    destination: str
    far_country: str  # the other airport's country
    scheduled_at: datetime
    seat_map: str
    passengers: PersonList
    crew: PersonList
    crew_zones: dict[int, str]  # cabin crew's index -> the seat map zone they serve
    bags: tuple[DemoBag, ...]
    health: dict[int, HealthDeclaration]  # by passenger index; arriving flights only
    families: tuple[tuple[int, ...], ...]  # passenger indexes of each family, one booking each
    imperfections: tuple[Imperfection, ...]

    @property
    def local_day(self) -> date:
        return self.scheduled_at.astimezone(airports()[AIRPORT].zone).date()

    @property
    def key(self) -> str:
        """The journey, as planted watch-list travellers name it: "KE845 2025-06-10 arriving"."""
        return f"{self.number} {self.local_day.isoformat()} {self.direction.value}"

    def route(self) -> tuple[Stay, ...]:
        """The places the flight's passengers were aboard from (the health rules' route): the
        origin on its day of departure; none for a departing flight."""
        leg = self.passengers.legs[0]
        if self.direction is Direction.DEPARTING or leg.departure_at is None:
            return ()
        return (Stay(self.origin, leg.departure_at.date(), country=self.far_country),)


@dataclass(frozen=True, eq=False)
class DemoCruise:
    """One cruise call of the week: ETA and ETD in UTC; the passenger list is the arriving one
    (a transit call's passengers sail on, a turnaround's disembark)."""

    ship: str
    cruise_line: str
    cruise_line_zh: str
    voyage: str
    berth: str
    turnaround: bool
    itinerary: tuple[tuple[str, date], ...]  # the ports before Qingdao (UN/LOCODE) and days
    next_port: str
    eta: datetime
    etd: datetime
    passengers: PersonList
    crew: PersonList
    health: dict[int, HealthDeclaration]  # by passenger index
    families: tuple[tuple[int, ...], ...]
    imperfections: tuple[Imperfection, ...]

    @property
    def key(self) -> str:
        return f"{self.ship} {self.voyage}"

    @property
    def last_ports(self) -> tuple[str, ...]:
        """The ports before Qingdao, the latest first (as a port call's arrival lists them)."""
        return tuple(port for port, _ in reversed(self.itinerary))

    def route(self) -> tuple[Stay, ...]:
        return tuple(Stay(port, day) for port, day in self.itinerary if port != SEAPORT)


@dataclass(frozen=True)
class PlantedTraveller:
    """A traveller of the week who is on the watch list, written as `variant` says."""

    entry_id: str
    journey: str  # DemoFlight.key or DemoCruise.key
    list_kind: ListKind
    index: int
    variant: str


@dataclass(frozen=True)
class DemoWatchList:
    rows: list[dict[str, str]]
    planted: tuple[PlantedTraveller, ...]


# --- what must not repeat across the week -----------------------------------------------------


class _Registry:
    """Document numbers, booking references and bag tags given so far: none is given twice."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.documents: set[str] = set()
        self.bookings: set[str] = set()
        self._serials: dict[str, int] = {}

    def document(self, rng: Random, pattern: str) -> str:
        while (number := _number(rng, pattern)) in self.documents:
            pass
        self.documents.add(number)
        return number

    def booking(self, rng: Random, pattern: str = "") -> str:
        while (ref := _number(rng, pattern) if pattern else _pnr(rng)) in self.bookings:
            pass
        self.bookings.add(ref)
        return ref

    def tag(self, prefix: str) -> str:
        """The airline's next bag tag: each airline's serials run on from a seeded start."""
        serial = self._serials.get(prefix)
        if serial is None:
            serial = Random(f"{self.seed}:tags:{prefix}").randrange(100_000, 500_000)
        self._serials[prefix] = serial + 1
        return f"0{prefix}{serial % 1_000_000:06d}"


def _number(rng: Random, pattern: str) -> str:
    """A number of the pattern ("#" a digit, "@" a letter, anything else itself)."""
    return "".join(
        str(rng.randrange(10)) if c == "#" else rng.choice(_DOCUMENT_LETTERS) if c == "@" else c
        for c in pattern
    )


def _pnr(rng: Random) -> str:
    return "".join(rng.choice(_PNR_LETTERS) for _ in range(6))


def _pick(rng: Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _born(rng: Random, day: date, youngest: int, oldest: int) -> date:
    """A birthday `youngest` to `oldest` years before the day (an infant two weeks old at least:
    airlines take none younger)."""
    age = rng.randint(youngest, oldest)
    return day - timedelta(days=age * 365 + age // 4 + rng.randrange(14, 365))


# --- people and their parties -----------------------------------------------------------------


@dataclass
class _Party:
    """People travelling together on one booking."""

    people: list[ListedPerson]
    booking: str
    family: bool = False
    business: bool = False
    lap: int = 0  # the last `lap` people are infants on a parent's lap: no seat, no bags
    plant: str | None = None  # an imperfection planted on its one person

    def __post_init__(self) -> None:
        for person in self.people:
            person.booking_reference = self.booking

    @property
    def seated(self) -> list[ListedPerson]:
        return self.people[: len(self.people) - self.lap]


class _Maker:
    """Makes the people of one journey: names of a nationality, dates of birth, documents."""

    def __init__(self, rng: Random, registry: _Registry, day: date) -> None:
        self.rng, self.registry, self.day = rng, registry, day

    def person(
        self,
        nationality: str,
        woman: bool,
        ages: tuple[int, int],
        family: NameForm | None = None,
        role: Role = Role.PASSENGER,
    ) -> ListedPerson:
        book = name_books()[nationality]
        family = family or book.family_name(self.rng)
        born = _born(self.rng, self.day, *ages)
        documents = [self._passport(book, adult=ages[0] >= 16)]
        if book.visa and role is Role.PASSENGER:
            documents.append(self._visa())
        sex: Sex = "F" if woman else "M"
        return ListedPerson(
            role=role,
            qualifier=_QUALIFIER[role],
            family_name=(book.feminine(family) if woman else family).latin,
            given_names=book.given_names(self.rng, woman),
            date_of_birth=born,
            sex=sex,
            nationality=nationality,
            documents=documents,
            residence=nationality,
        )

    def _passport(self, book: NameBook, adult: bool) -> TravelDocument:
        # Adults' passports run ten years, children's five: any time left of that.
        days = self.rng.randint(150, 3600 if adult else 1800)
        number = self.registry.document(self.rng, book.passport)
        return TravelDocument("P", number, book.nationality, self.day + timedelta(days=days))

    def _visa(self) -> TravelDocument:
        number = self.registry.document(self.rng, _visa_pattern())
        expiry = self.day + timedelta(days=self.rng.randint(20, 3000))
        return TravelDocument("V", number, "CN", expiry)

    def single(self, nationality: str, business: bool = False) -> list[ListedPerson]:
        woman = self.rng.random() < (0.3 if business else 0.5)
        return [self.person(nationality, woman, (26, 62) if business else (19, 78))]

    def couple(self, nationality: str, ages: tuple[int, int] = (24, 76)) -> list[ListedPerson]:
        husband = self.person(nationality, False, ages)
        return [husband, self._wife(nationality, husband)]

    def _wife(self, nationality: str, husband: ListedPerson) -> ListedPerson:
        book = name_books()[nationality]
        family = None if book.keeps_name else _family_form(book, husband.family_name)
        assert husband.date_of_birth is not None
        age = (self.day - husband.date_of_birth).days // 365
        ages = (max(19, age - 6), max(19, age + 2))
        return self.person(nationality, True, ages, family)

    def family(self, nationality: str, infant: bool) -> list[ListedPerson]:
        """Parents and children; an infant, if any, last."""
        parents = self.couple(nationality, (29, 50))
        surname = _family_form(name_books()[nationality], parents[0].family_name)
        ages = [(2, 16)] * self.rng.choice((1, 1, 2, 2, 3)) + [(0, 1)] * int(infant)
        children = [self.person(nationality, self.rng.random() < 0.5, age, surname) for age in ages]
        return parents + children

    def friends(self, nationality: str) -> list[ListedPerson]:
        woman = self.rng.random() < 0.6
        return [self.person(nationality, woman, (22, 70)) for _ in range(self.rng.randint(3, 4))]

    def group(self, nationality: str, size: int) -> list[ListedPerson]:
        """A tour group: mostly couples of a certain age, some travelling alone."""
        people: list[ListedPerson] = []
        while len(people) < size:
            if size - len(people) >= 2 and self.rng.random() < 0.7:
                people += self.couple(nationality, (40, 78))
            else:
                people.append(self.person(nationality, self.rng.random() < 0.6, (35, 78)))
        return people


def _family_form(book: NameBook, latin: str) -> NameForm:
    """The family name a passport spells (the husband's, for his wife and children)."""
    found = book.native_family(latin)
    return found[0] if found else NameForm((), latin)


def _parties(
    rng: Random,
    maker: _Maker,
    mix: Mapping[str, float],
    target: int,
    shares: Mapping[str, float],
    booking: str = "",
) -> list[_Party]:
    """Parties of the mix's nationalities until `target` people."""
    kinds = {k: shares[k] for k in ("single", "couple", "family", "friends")}
    parties: list[_Party] = []
    count = 0
    while count < target:
        kind, nationality = _pick(rng, kinds), _pick(rng, mix)
        party = _party(maker, kind, nationality, shares, maker.registry.booking(rng, booking))
        parties.append(party)
        count += len(party.people)
    return parties


def _party(
    maker: _Maker, kind: str, nationality: str, shares: Mapping[str, float], booking: str
) -> _Party:
    rng = maker.rng
    if kind == "single":
        business = rng.random() < shares.get("business", 0.0)
        return _Party(maker.single(nationality, business), booking, business=business)
    if kind == "couple":
        return _Party(maker.couple(nationality), booking)
    if kind == "family":
        infant = rng.random() < shares["infant"]
        return _Party(maker.family(nationality, infant), booking, family=True, lap=int(infant))
    return _Party(maker.friends(nationality), booking)


# --- imperfections ----------------------------------------------------------------------------


def _spoil(person: ListedPerson, what: str, day: date, rng: Random) -> None:
    """Leave the record imperfect as `what` says."""
    if what == "no_document":
        person.documents.clear()
    elif what == "no_expiry":
        person.documents[0].expiry = None
    elif what == "expired_passport":
        person.documents[0].expiry = day - timedelta(days=rng.randint(12, 300))
    elif what == "no_visa":
        person.documents[:] = [d for d in person.documents if d.type != "V"]
    else:
        raise ValueError(f"unknown imperfection {what!r}")


def _planted_party(
    rng: Random, maker: _Maker, spec: Mapping[str, Any], mix: Mapping[str, float], booking: str = ""
) -> _Party:
    """A traveller alone with the imperfection the spec names (of its nationality, if given)."""
    nationality = spec.get("nationality") or _pick(rng, mix)
    person = maker.single(nationality)[0]
    _spoil(person, spec["what"], maker.day, rng)
    return _Party([person], maker.registry.booking(rng, booking), plant=spec["what"])


# --- seats, crews and bags ------------------------------------------------------------------


def _seat_cabin(rng: Random, parties: list[_Party], seats: list[tuple[str, str]]) -> None:
    """Seat the parties together in cabin order, the empty seats spread between them."""
    rng.shuffle(parties)
    empty = len(seats) - sum(len(p.seated) for p in parties)
    gaps = [0] * (len(parties) + 1)
    for _ in range(max(0, empty)):
        gaps[rng.randrange(len(gaps))] += 1
    at = 0
    for party, gap in zip(parties, gaps, strict=False):
        at += gap
        for person in party.seated:
            person.seat = seats[at][0]
            at += 1


def _seat(rng: Random, parties: list[_Party], layout: SeatLayout) -> list[_Party]:
    """Business travellers (and those left without an economy seat) fly business while its seats
    last; parties that fit nowhere are left off. The parties in cabin order."""
    business, economy = layout.seats("J"), layout.seats("Y")
    room = {"J": round(len(business) * rng.uniform(0.45, 0.95)), "Y": len(economy)}
    cabins: dict[str, list[_Party]] = {"J": [], "Y": []}
    for party in sorted(parties, key=lambda p: p.plant is None):  # planted ones always fly
        need = len(party.seated)
        choices = ("J", "Y") if party.business else ("Y", "J")
        cabin = next((c for c in choices if room[c] >= need), None)
        if cabin is not None:
            cabins[cabin].append(party)
            room[cabin] -= need
    _seat_cabin(rng, cabins["J"], business)
    _seat_cabin(rng, cabins["Y"], economy)
    order = {seat: n for n, (seat, _) in enumerate(business + economy)}
    return sorted(cabins["J"] + cabins["Y"], key=lambda p: order[p.seated[0].seat or ""])


_FLIGHT_RANKS = ("Captain", "First Officer", "Second Officer")


def _flight_crew(
    rng: Random, maker: _Maker, flight: ScheduledFlight, layout: SeatLayout
) -> tuple[list[ListedPerson], dict[int, str]]:
    """Pilots, a purser and flight attendants, each cabin crew member serving a zone."""
    crew: list[ListedPerson] = []
    zones: dict[int, str] = {}
    names = layout.zone_names
    for n in range(layout.pilots):
        nationality = _crew_nationality(rng, flight.crew_from)
        pilot = maker.person(nationality, rng.random() < 0.08, (27, 60), role=Role.CREW)
        pilot.rank = _FLIGHT_RANKS[min(n, 2)]
        crew.append(pilot)
    for n in range(layout.cabin_crew):
        nationality = _crew_nationality(rng, flight.crew_from)
        member = maker.person(nationality, rng.random() < 0.8, (22, 45), role=Role.CREW)
        member.rank = "Purser" if n == 0 else "Flight Attendant"
        zones[len(crew)] = names[n % len(names)]
        crew.append(member)
    return crew, zones


def _crew_nationality(rng: Random, crew_from: Sequence[str]) -> str:
    return crew_from[0] if len(crew_from) == 1 or rng.random() < 0.85 else rng.choice(crew_from)


def _bags(
    rng: Random, registry: _Registry, prefix: str, people: list[ListedPerson]
) -> list[DemoBag]:
    """Checked bags, tagged by the operating airline; an infant on a lap (no seat) has none."""
    config = _week_data()["bags"]
    bags = []
    for owner, person in enumerate(people):
        count = 0 if person.seat is None else rng.choices(range(4), config["weights"])[0]
        for _ in range(count):
            tag = registry.tag(prefix)
            person.bag_tags.append(tag)
            bags.append(DemoBag(tag, owner, round(rng.uniform(*config["kg"]), 1)))
    return bags


# --- health declarations ----------------------------------------------------------------------


def epidemic_alert(week_start: date) -> EpidemicAlert:
    """The week's alert: H1N1 as in 2009, begun some days before the week, its areas those of
    2009 (Mexico, the United States, Canada, Japan) and Thailand's: it touches the week's
    flights from Japan and Thailand and the cruises that called in Japan."""
    config = _week_data()["alert"]
    alert = h1n1_2009(starts=week_start - timedelta(days=config["starts_days_before"]))
    extra = tuple(AlertArea(code, level) for code, level in config["extra_areas"].items())
    return replace(alert, areas=alert.areas + extra)


def touched(alert: EpidemicAlert, route: Sequence[Stay], arrival: date) -> bool:
    """Whether a journey's route passes through the alert's areas within its incubation period."""
    return bool(_alert_area_stays(route, arrival, [alert], "health.alert_area_route"))


def _temperature(rng: Random, fever: bool) -> float:
    if fever:
        return round(rng.uniform(37.4, 39.3), 1)
    mean, spread = _week_data()["health"]["temperature"]
    return round(min(37.1, max(35.8, rng.gauss(mean, spread))), 1)


def _declaration(
    rng: Random, index: int, arrival: date, home: Sequence[Stay], fever_share: float
) -> HealthDeclaration:
    """A traveller's declaration: temperature, maybe fever or symptoms, where they stayed."""
    config = _week_data()["health"]
    fever = rng.random() < fever_share
    symptoms: tuple[str, ...] = ()
    if fever:
        symptoms = tuple(rng.choice([s for s in config["symptom_sets"] if "fever" in s]))
    elif rng.random() < config["symptoms"]:
        symptoms = tuple(rng.choice([s for s in config["symptom_sets"] if "fever" not in s]))
    stays = tuple(home)
    if rng.random() < config["other_stay"]:
        spec = rng.choice(config["other_stays"])
        stays += (_stay(spec["place"], spec.get("country"), arrival, rng.randint(*spec["days"])),)
    return HealthDeclaration(
        person_id=index,
        temperature=_temperature(rng, fever),
        symptoms=symptoms,
        ill_contact=rng.random() < config["ill_contact"],
        stays=stays,
    )


def _stay(place: str, country: str | None, arrival: date, days_before: int) -> Stay:
    last = arrival - timedelta(days=days_before)
    return Stay(place, last - timedelta(days=2), last, country=country)


def _plant_health(
    rng: Random, declarations: dict[int, HealthDeclaration], arrival: date, spec: Mapping[str, Any]
) -> None:
    """Make the declaration the spec asks for, on a traveller who declared nothing odd."""
    plain = [i for i, d in declarations.items() if not d.symptoms and not d.ill_contact]
    if not plain:
        return
    index = rng.choice(plain)
    current = declarations[index]
    if spec["what"] == "fever":
        changed = replace(
            current, temperature=_temperature(rng, True), symptoms=("fever", "cough", "sore_throat")
        )
    elif spec["what"] == "stay":
        stay = _stay(spec["place"], spec.get("country"), arrival, spec["days_before"])
        changed = replace(current, stays=(*current.stays, stay))
    else:
        changed = replace(current, ill_contact=True)
    declarations[index] = changed


# --- flights ----------------------------------------------------------------------------------


@dataclass
class _Week:
    seed: int
    scale: float
    alert: EpidemicAlert
    registry: _Registry


def flight_lists(
    week_start: date, days: int = 7, seed: int = SEED, scale: float = 1.0
) -> list[DemoFlight]:
    """The flights of `days` days from `week_start` (local dates at TAO), by scheduled time.
    `scale` shrinks the passenger lists (crews keep their size)."""
    week = _Week(seed, scale, epidemic_alert(week_start), _Registry(seed))
    dated = sorted(_dated_flights(week_start, days), key=lambda f: (f[1], f[0].number))
    imperfections = _firsts(dated, "imperfection")
    health_plants = _firsts(dated, "health_plant")
    return [
        _flight(week, flight, at, imperfections.get(n, []), health_plants.get(n, []))
        for n, (flight, at) in enumerate(dated)
    ]


def _dated_flights(week_start: date, days: int) -> Iterable[tuple[ScheduledFlight, datetime]]:
    zone = airports()[AIRPORT].zone
    for offset in range(days):
        day = week_start + timedelta(days=offset)
        for flight in schedule():
            if day.isoweekday() in flight.days:
                yield flight, datetime.combine(day, flight.time, zone).astimezone(UTC)


def _firsts(
    dated: list[tuple[ScheduledFlight, datetime]], table: str
) -> dict[int, list[dict[str, Any]]]:
    """The data's plants of a flight, on its first flight of the days made (by position)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for spec in _week_data()[table]:
        if "flight" not in spec:
            continue
        first = next((n for n, (f, _) in enumerate(dated) if f.number == spec["flight"]), None)
        if first is not None:
            found.setdefault(first, []).append(spec)
    return found


def _flight(
    week: _Week,
    flight: ScheduledFlight,
    at: datetime,
    plants: list[dict[str, Any]],
    health_plants: list[dict[str, Any]],
) -> DemoFlight:
    day = at.astimezone(airports()[AIRPORT].zone).date()
    rng = Random(f"{week.seed}:{flight.number}:{day.isoformat()}")
    maker = _Maker(rng, week.registry, day)
    layout = seat_layouts()[flight.seat_map]
    far = airports()[flight.far]
    parties = _seat(
        rng, _flight_parties(rng, maker, flight, layout, far, week.scale, plants), layout
    )
    people = [person for party in parties for person in party.people]
    crew, zones = _flight_crew(rng, maker, flight, layout)
    bags = _bags(rng, week.registry, flight.prefix, people)
    leg = _leg(flight, at, far)
    for person in people + crew:
        person.embarkation, person.disembarkation = flight.origin, flight.destination
    made = DemoFlight(
        airline=flight.airline,
        airline_name=flight.airline_name,
        airline_name_zh=flight.airline_name_zh,
        number=flight.number,
        direction=flight.direction,
        origin=flight.origin,
        destination=flight.destination,
        far_country=far.country,
        scheduled_at=at,
        seat_map=flight.seat_map,
        passengers=_person_list(ListKind.PASSENGERS, flight, day, leg, people),
        crew=_person_list(ListKind.CREW, flight, day, leg, crew),
        crew_zones=zones,
        bags=tuple(bags),
        health={},
        families=_families(parties),
        imperfections=_imperfections(parties),
    )
    if flight.direction is Direction.ARRIVING:
        made.health.update(_flight_health(rng, week.alert, made, health_plants))
    return made


def _flight_parties(
    rng: Random,
    maker: _Maker,
    flight: ScheduledFlight,
    layout: SeatLayout,
    far: Airport,
    scale: float,
    plants: list[dict[str, Any]],
) -> list[_Party]:
    shares = _week_data()["parties"]
    spread = shares["load_spread"]
    load = flight.load * rng.uniform(1 - spread, 1 + spread)
    target = min(layout.capacity, round(layout.capacity * min(load, 1.0) * scale))
    parties = [_planted_party(rng, maker, spec, far.travellers) for spec in plants]
    group = _tour_group(rng, maker, far.travellers, target, scale)
    if group is not None:
        parties.append(group)
    count = sum(len(p.people) for p in parties)
    return parties + _parties(rng, maker, far.travellers, target - count, shares)


def _tour_group(
    rng: Random, maker: _Maker, mix: Mapping[str, float], target: int, scale: float
) -> _Party | None:
    """A travel agency's group of one nationality, on one group booking; or none."""
    shares = _week_data()["parties"]
    touring = {n: w for n, w in mix.items() if name_books()[n].tour_operators}
    if not touring or rng.random() >= shares["group_chance"]:
        return None
    size = min(target // 2, max(4, round(rng.randint(*shares["group_size"]) * scale)))
    if size < 4:
        return None
    nationality = _pick(rng, touring)
    code, _name = rng.choice(name_books()[nationality].tour_operators)
    party = _Party(maker.group(nationality, size), maker.registry.booking(rng))
    group = maker.registry.booking(rng, f"{code}{maker.day:%m%d}@")  # HBT0612K: unique
    for person in party.people:
        person.party = group
    return party


def _families(parties: list[_Party]) -> tuple[tuple[int, ...], ...]:
    found, at = [], 0
    for party in parties:
        if party.family:
            found.append(tuple(range(at, at + len(party.people))))
        at += len(party.people)
    return tuple(found)


def _imperfections(parties: list[_Party]) -> tuple[Imperfection, ...]:
    found, at = [], 0
    for party in parties:
        if party.plant is not None:
            found.append(Imperfection(ListKind.PASSENGERS, at, party.plant))
        at += len(party.people)
    return tuple(found)


def _leg(flight: ScheduledFlight, at: datetime, far: Airport) -> Leg:
    """The flight as its list gives it: local times of each airport, without a zone."""
    here = at.astimezone(airports()[AIRPORT].zone).replace(tzinfo=None)
    if flight.direction is Direction.ARRIVING:
        there = (at - flight.block).astimezone(far.zone).replace(tzinfo=None)
        return Leg(flight.number, flight.origin, there, flight.destination, here)
    there = (at + flight.block).astimezone(far.zone).replace(tzinfo=None)
    return Leg(flight.number, flight.origin, here, flight.destination, there)


def _person_list(
    kind: ListKind, flight: ScheduledFlight, day: date, leg: Leg, people: list[ListedPerson]
) -> PersonList:
    suffix = ("A" if flight.direction is Direction.ARRIVING else "D") + (
        "C" if kind is ListKind.CREW else ""
    )
    return PersonList(
        kind=kind,
        sender=flight.airline,
        reference=f"{flight.number}-{day:%Y%m%d}-{suffix}",
        carrier=flight.airline,
        transport_id=flight.number,
        legs=[replace(leg)],
        direction=flight.direction,
        persons=_as_read(people),
        declared_count=len(people),
        source="demo",
    )


def _as_read(people: list[ListedPerson]) -> list[ListedPerson]:
    """The persons with the warnings a reader of the list would give them (only the planted
    imperfections have any)."""
    for n, person in enumerate(people):
        person.source = f"persons[{n}]"
        person.warnings.extend(missing_details(person, person.source, n + 1))
    return people


def _flight_health(
    rng: Random, alert: EpidemicAlert, flight: DemoFlight, plants: list[dict[str, Any]]
) -> dict[int, HealthDeclaration]:
    config = _week_data()["health"]
    arrival = flight.local_day
    route = flight.route()
    share = config["fever_alert_route"] if touched(alert, route, arrival) else config["fever"]
    home = (Stay(flight.far_country, route[0].first_day - timedelta(days=6), route[0].first_day),)
    declarations = {
        n: _declaration(rng, n, arrival, home, share) for n in range(len(flight.passengers.persons))
    }
    for spec in plants:
        _plant_health(rng, declarations, arrival, spec)
    return declarations


# --- cruises ----------------------------------------------------------------------------------


_CRUISE_BOOKING = "########"  # a cruise line's booking number


@cache
def _cruise_data() -> dict[str, Any]:
    return _toml("cruise_calls.toml")


def cruise_lists(week_start: date, seed: int = SEED, scale: float = 1.0) -> list[DemoCruise]:
    """The week's cruise calls, their passenger and crew lists `scale` times the full size."""
    registry = _Registry(seed + 1)  # apart from the flights' numbers, which run their own course
    return [_cruise(week_start, call, seed, scale, registry) for call in _cruise_data()["call"]]


def _cruise(
    week_start: date, call: dict[str, Any], seed: int, scale: float, registry: _Registry
) -> DemoCruise:
    zone = airports()[AIRPORT].zone
    eta_day = week_start + timedelta(days=call["eta_day"])
    eta = datetime.combine(eta_day, time.fromisoformat(call["eta"]), zone).astimezone(UTC)
    etd_day = week_start + timedelta(days=call["etd_day"])
    etd = datetime.combine(etd_day, time.fromisoformat(call["etd"]), zone).astimezone(UTC)
    rng = Random(f"{seed}:{call['ship']}:{eta_day.isoformat()}")
    maker = _Maker(rng, registry, eta_day)
    itinerary = tuple(
        (stop["port"], eta_day - timedelta(days=stop["days_before"])) for stop in call["itinerary"]
    )
    voyage = f"{call['voyage_prefix']}{itinerary[0][1]:%y%m%d}"
    parties = _cruise_parties(rng, maker, call, scale)
    people = [person for party in parties for person in party.people]
    crew = _cruise_crew(rng, maker, call, scale)
    imperfections = _imperfections(parties) + _crew_imperfections(rng, call, crew, eta_day)
    leg = Leg(voyage, itinerary[-1][0], None, SEAPORT, eta.astimezone(zone).replace(tzinfo=None))
    made = DemoCruise(
        ship=call["ship"],
        cruise_line=call["cruise_line"],
        cruise_line_zh=call["cruise_line_zh"],
        voyage=voyage,
        berth=call["berth"],
        turnaround=call["turnaround"],
        itinerary=itinerary,
        next_port=call["next_port"],
        eta=eta,
        etd=etd,
        passengers=_cruise_list(ListKind.PASSENGERS, call, voyage, leg, people),
        crew=_cruise_list(ListKind.CREW, call, voyage, leg, crew),
        health={},
        families=_families(parties),
        imperfections=imperfections,
    )
    made.health.update(_cruise_health(rng, made, eta_day))
    return made


def _cruise_parties(rng: Random, maker: _Maker, call: dict[str, Any], scale: float) -> list[_Party]:
    plants = [
        spec
        for spec in _week_data()["imperfection"]
        if spec.get("cruise") == call["ship"] and spec["list"] == "passengers"
    ]
    mix = call["travellers"]
    parties = [_planted_party(rng, maker, spec, mix, _CRUISE_BOOKING) for spec in plants]
    target = max(len(parties) + 1, round(call["passengers"] * scale))
    shares = _week_data()["cruise_parties"]
    parties += _parties(rng, maker, mix, target - len(parties), shares, _CRUISE_BOOKING)
    rng.shuffle(parties)
    for party in parties:
        _board(rng, call, party)
    _cabins(rng, parties, call["decks"])
    _dining(parties, call["dining"])
    _excursions(rng, parties, call)
    return parties


def _board(rng: Random, call: dict[str, Any], party: _Party) -> None:
    """Where the party boarded and leaves the ship; a transit call's passengers sail on."""
    embarked = _pick(rng, call["embarked"])
    for person in party.people:
        person.embarkation, person.disembarkation = embarked, call["disembark"]
        person.transit = call["disembark"] != SEAPORT


def _cabins(rng: Random, parties: list[_Party], decks: list[str]) -> None:
    """Cabins of two (four for a family), deck by deck, some left empty."""
    needed = sum(math.ceil(len(p.people) / (4 if p.family else 2)) for p in parties)
    per_deck = math.ceil(needed * 1.15 / len(decks)) + 1
    places = ((deck, n) for deck in decks for n in range(1, per_deck + 1))
    for party in parties:
        size = 4 if party.family else 2
        for start in range(0, len(party.people), size):
            deck, n = next(places)
            while rng.random() < 0.1:  # sold but not sailing, or unsold
                deck, n = next(places)
            for person in party.people[start : start + size]:
                person.deck, person.cabin = deck, f"{deck}{n:03d}"


def _dining(parties: list[_Party], dining: dict[str, Any]) -> None:
    """Tables of the main restaurant in two sittings; a party keeps one table (or neighbours)."""
    seats, table, left = dining["table_seats"], 1, dining["table_seats"]
    groups = []
    for party in parties:
        if len(party.people) > left and left < seats:
            table, left = table + 1, seats
        for person in party.people:
            if left == 0:
                table, left = table + 1, seats
            groups.append((person, table))
            left -= 1
    half = math.ceil(table / len(dining["sittings"]))
    for person, number in groups:
        sitting = dining["sittings"][min((number - 1) // half, len(dining["sittings"]) - 1)]
        person.dining_group = f"{sitting}-T{number:03d}"


def _excursions(rng: Random, parties: list[_Party], call: dict[str, Any]) -> None:
    """Shore excursions (a transit call) or agencies' groups (a turnaround), by the coach."""
    coaches: dict[str, tuple[int, int]] = {}  # code -> (coach, seats left)
    for party in parties:
        if rng.random() >= call["excursion_share"]:
            continue
        excursion = rng.choice(call["excursions"])
        coach, left = coaches.get(excursion["code"], (1, excursion["coach"]))
        if len(party.people) > left:
            coach, left = coach + 1, excursion["coach"]
        coaches[excursion["code"]] = (coach, left - len(party.people))
        group = f"{excursion['code']}-{coach:02d}"
        for person in party.people:
            person.tour_group = group
            if call["turnaround"]:  # they booked the voyage with the agency, together
                person.party = group


def _cruise_crew(
    rng: Random, maker: _Maker, call: dict[str, Any], scale: float
) -> list[ListedPerson]:
    """The crew by role: the officers and fixed posts, each in a cabin of their own on crew deck
    A, then the rest by share, two a cabin on deck B."""
    roles = _cruise_data()["crew_role"]
    target = max(1, round(call["crew"] * scale))
    ranks = [r["rank"] for r in roles if "count" in r for _ in range(r["count"])][:target]
    shared = [r for r in roles if "share" in r]
    weights = [r["share"] for r in shared]
    ranks += [rng.choices(shared, weights)[0]["rank"] for _ in range(target - len(ranks))]
    origin = {r["rank"]: r["from"] for r in roles}
    officers = sum(r.get("count", 0) for r in roles)
    crew = []
    for n, rank in enumerate(ranks):
        officer = n < officers
        woman = rng.random() < (0.15 if officer else 0.35)
        member = maker.person(rng.choice(origin[rank]), woman, (22, 60), role=Role.CREW)
        member.rank = rank
        deck, number = ("A", n + 1) if officer else ("B", (n - officers) // 2 + 1)
        member.deck, member.cabin = deck, f"{deck}{number:03d}"
        crew.append(member)
    return crew


def _crew_imperfections(
    rng: Random, call: dict[str, Any], crew: list[ListedPerson], day: date
) -> tuple[Imperfection, ...]:
    found = []
    for spec in _week_data()["imperfection"]:
        if spec.get("cruise") == call["ship"] and spec["list"] == "crew" and crew:
            index = rng.randrange(len(crew))
            _spoil(crew[index], spec["what"], day, rng)
            found.append(Imperfection(ListKind.CREW, index, spec["what"]))
    return tuple(found)


def _cruise_list(
    kind: ListKind, call: dict[str, Any], voyage: str, leg: Leg, people: list[ListedPerson]
) -> PersonList:
    suffix = "C" if kind is ListKind.CREW else "P"
    return PersonList(
        kind=kind,
        sender=call["sender"],
        reference=f"{voyage}-{SEAPORT}-{suffix}",
        carrier=call["sender"],
        transport_id=voyage,
        vessel=call["ship"],
        legs=[replace(leg)],
        direction=Direction.ARRIVING,
        persons=_as_read(people),
        declared_count=len(people),
        source="demo",
    )


def _cruise_health(rng: Random, cruise: DemoCruise, arrival: date) -> dict[int, HealthDeclaration]:
    """Every passenger declares the ports called at since they boarded."""
    config = _week_data()["health"]
    declarations = {}
    for n, person in enumerate(cruise.passengers.persons):
        boarded = next((d for p, d in cruise.itinerary if p == person.embarkation), arrival)
        stays = [s for s in cruise.route() if s.first_day > boarded]
        declarations[n] = _declaration(rng, n, arrival, stays, config["fever"])
    return declarations


# --- the watch list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Aboard:
    """A traveller of the week, where they are listed."""

    person: ListedPerson
    journey: str
    list_kind: ListKind
    index: int
    kind: str  # arriving, departing, cruise or crew


def _aboard(flights: Sequence[DemoFlight], cruises: Sequence[DemoCruise]) -> list[_Aboard]:
    found = []
    for flight in flights:
        for n, person in enumerate(flight.passengers.persons):
            found.append(
                _Aboard(person, flight.key, ListKind.PASSENGERS, n, flight.direction.value)
            )
    for cruise in cruises:
        for n, person in enumerate(cruise.passengers.persons):
            found.append(_Aboard(person, cruise.key, ListKind.PASSENGERS, n, "cruise"))
        for n, person in enumerate(cruise.crew.persons):
            found.append(_Aboard(person, cruise.key, ListKind.CREW, n, "crew"))
    return found


def watch_list(
    flights: Sequence[DemoFlight],
    cruises: Sequence[DemoCruise],
    seed: int = SEED,
    size: int = 3000,
) -> DemoWatchList:
    """`size` entries: invented people in several scripts, and travellers of the flights and
    cruises written otherwise (planted: which travellers, and how)."""
    rng = Random(f"{seed}:watch-list")
    aboard = _aboard(flights, cruises)
    planted = _plant(rng, aboard)
    born = _births_by_name(aboard)
    documents = {d.number for a in aboard for d in a.person.documents if d.number}
    # Births are drawn back from the week (or a fixed day without one): the same for a seed.
    days = [f.local_day for f in flights] + [c.eta.date() for c in cruises]
    today = min(days, default=date(2026, 1, 1))
    entries = [e for e, _ in planted]
    while len(entries) < size:
        entries.append(_invented(rng, today, born, documents))
    order = list(range(len(entries)))
    rng.shuffle(order)
    rows, marks = [], []
    for position, n in enumerate(order):
        entry_id = f"WL{seed % 100:02d}-{position + 1:05d}"
        rows.append({"id": entry_id, **entries[n]})
        if n < len(planted):
            marks.append(replace(planted[n][1], entry_id=entry_id))
    return DemoWatchList(rows, tuple(sorted(marks, key=lambda p: p.entry_id)))


def watch_list_rows(
    flights: Sequence[DemoFlight],
    cruises: Sequence[DemoCruise],
    seed: int = SEED,
    size: int = 3000,
) -> list[dict[str, str]]:
    """The watch list's rows in the CSV contract (`watch_list` also says who is planted)."""
    return watch_list(flights, cruises, seed, size).rows


def watch_list_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """The rows as the CSV file border inspection imports (aliases separated by ";")."""
    out = io.StringIO()
    writer = csv.DictWriter(out, WATCH_LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in WATCH_LIST_COLUMNS})
    return out.getvalue()


def _entry(
    name: str,
    aliases: Sequence[str] = (),
    born: str = "",
    nationality: str = "",
    document: str = "",
    reason: str = "",
) -> dict[str, str]:
    return {
        "name": name,
        "aliases": ";".join(aliases),
        "date_of_birth": born,
        "nationality": nationality,
        "document_number": document,
        "reason": reason,
    }


# Planting: which traveller, and the entry that names them otherwise.

_Where = tuple[str, ListKind, int]  # journey, list, index


def _plant(rng: Random, aboard: list[_Aboard]) -> list[tuple[dict[str, str], PlantedTraveller]]:
    config = _week_data()["watch_list"]
    taken: set[_Where] = set()
    planted = []
    for spec in config["plant"]:
        book = name_books()[spec["nationality"]]
        for chosen in _candidates(rng, aboard, spec, taken):
            entry = _VARIANTS[spec["variant"]](rng, chosen.person, book)
            if _found(chosen.person, entry):
                break
        else:
            continue
        taken.add((chosen.journey, chosen.list_kind, chosen.index))
        entry["reason"] = spec.get("reason") or rng.choice(_person_reasons())
        mark = PlantedTraveller("", chosen.journey, chosen.list_kind, chosen.index, spec["variant"])
        planted.append((entry, mark))
    return planted


def _candidates(
    rng: Random, aboard: list[_Aboard], spec: Mapping[str, Any], taken: set[_Where]
) -> list[_Aboard]:
    """Some adults of the nationality, whose record is whole and whose name the variant can
    rewrite: those on a journey of the kind asked first, in random order."""
    fits = _FITS.get(spec["variant"], lambda person, book: True)
    book = name_books()[spec["nationality"]]
    pool = [
        a
        for a in aboard
        if a.person.nationality == spec["nationality"]
        and (a.journey, a.list_kind, a.index) not in taken
        and _whole_adult(a.person)
        and fits(a.person, book)
    ]
    rng.shuffle(pool)
    return sorted(pool, key=lambda a: a.kind != spec["journey"])[:_TRIES]


_TRIES = 40


def _found(person: ListedPerson, entry: Mapping[str, str]) -> bool:
    """Whether screening finds the traveller under the entry (kouan.domain.names at its default
    policy): a planted traveller the matcher cannot yet find is no demonstration, so another
    is chosen (its spelling gaps are for the matcher to close, not the demo to show)."""
    document = person.travel_document()
    number = document.number if document is not None else None
    traveller = Identity.of(person.full_name, person.date_of_birth, person.nationality, number)
    names = [entry["name"], *(a for a in entry["aliases"].split(";") if a)]
    listed = Identity.of(
        names,
        entry["date_of_birth"] or None,
        entry["nationality"] or None,
        entry["document_number"] or None,
    )
    return match(traveller, listed).hit


def _person_reasons() -> list[str]:
    """The reasons that are about a person, not a document."""
    return [r for r in _week_data()["watch_list"]["reasons"] if not r.startswith("document")]


def _whole_adult(person: ListedPerson) -> bool:
    document = person.travel_document()
    return (
        not person.warnings
        and document is not None
        and document.expiry is not None
        and person.date_of_birth is not None
        and person.date_of_birth.year < 2006
        and (not name_books()[person.nationality or ""].visa or len(person.documents) > 1)
    )


def _native(person: ListedPerson, book: NameBook) -> tuple[NameForm, NameForm]:
    family = book.native_family(person.family_name)
    given = book.native_given(person.given_names)
    return (family or [NameForm((), person.family_name)])[0], (
        given or [NameForm((), person.given_names)]
    )[0]


def _dob(person: ListedPerson) -> str:
    assert person.date_of_birth is not None
    return person.date_of_birth.isoformat()


def _hangul(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """김민준 for KIM MINJUN: the name in its own script only."""
    family, given = _native(person, book)
    return _entry(book.full_native(family, given), (), _dob(person), "KR")


def _mccune_reischauer(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """PAK CHIHUN for PARK JIHOON: McCune–Reischauer, as older records spell."""
    family, given = _native(person, book)
    spellings = [s for s in korean.surname_spellings(family.home) if s != person.family_name]
    surname = spellings[0] if spellings else korean.mccune(family.home)
    return _entry(f"{surname} {korean.mccune(given.home)}", (), _dob(person), "KR")


def _kanji_kana(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """山田 太郎 with the alias やまだ たろう, only the year of birth known."""
    family, given = _native(person, book)
    kana = f"{family.native[1]} {given.native[1]}"
    assert person.date_of_birth is not None
    return _entry(book.full_native(family, given), (kana,), str(person.date_of_birth.year), "JP")


def _long_vowels_swapped(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """TAROU SATOU for SATO TARO: long vowels written out, given name first."""
    family, given = _native(person, book)
    return _entry(
        f"{japanese.hepburn(given.native[1])} {japanese.hepburn(family.native[1])}",
        (),
        _dob(person),
        "JP",
    )


def _han(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """王志强 for WANG ZHIQIANG."""
    family, given = _native(person, book)
    return _entry(book.full_native(family, given), (), _dob(person), person.nationality or "")


def _pinyin(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """ZHANG ZHIMING for CHANG CHIH-MING: the mainland's spelling of a Taiwanese name."""
    family, given = _native(person, book)
    return _entry(f"{_reading(family.home)} {_reading(given.home)}", (), _dob(person), "TW")


def _cyrillic(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """Кузнецов Сергей Иванович for KUZNETSOV SERGEI: Cyrillic, with the patronymic."""
    family, given = _native(person, book)
    patronymic = rng.choice(book.patronymics)[1 if person.sex == "F" else 0]
    return _entry(f"{family.home} {given.home} {patronymic}", (), _dob(person), "RU")


def _diacritics_swapped(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """Jürgen Müller for MUELLER JUERGEN: given name first, with the diacritics."""
    family, given = _native(person, book)
    return _entry(f"{given.home} {family.home}", (), _dob(person), person.nationality or "")


def _typo_year_only(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """JAMES JONHSON for JOHNSON JAMES: two letters swapped, only the year of birth."""
    family = person.family_name
    at = rng.choice([n for n in range(1, len(family) - 1) if family[n] != family[n + 1]])
    misspelt = family[:at] + family[at + 1] + family[at] + family[at + 2 :]
    return _entry(
        f"{person.given_names} {misspelt}", (), _dob(person)[:4], person.nationality or ""
    )


def _spacing(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """DELACRUZ MARK ANTHONY for DELA CRUZ MARK ANTHONY: the space of a family name (or else of
    the given names) left out."""
    family, given = person.family_name, person.given_names
    if " " in family:
        family = family.replace(" ", "")
    else:
        given = given.replace(" ", "")
    return _entry(f"{family} {given}", (), _dob(person), person.nationality or "")


def _thai_swapped(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """SOMCHAI JAIDEE (and สมชาย ใจดี) for JAIDEE SOMCHAI: given name first, as at home."""
    family, given = _native(person, book)
    thai = f"{given.home} {family.home}"
    return _entry(f"{given.latin} {family.latin}", (thai,), _dob(person), "TH")


def _lost_document(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """The traveller's own passport, reported lost (and found again), its number spaced."""
    document = person.travel_document()
    assert document is not None and document.number is not None
    number = f"{document.number[:4]} {document.number[4:]}"
    name = f"{person.given_names} {person.family_name}"
    return _entry(name, (), _dob(person), person.nationality or "", number)


def _stolen_document(rng: Random, person: ListedPerson, book: NameBook) -> dict[str, str]:
    """The traveller's passport reported stolen by its holder: another person's name."""
    document = person.travel_document()
    assert document is not None and document.number is not None
    while (family := book.family_name(rng)).latin == person.family_name:
        pass
    given = book.given(rng, person.sex == "F")
    assert person.date_of_birth is not None
    years = rng.choice((-1, 1)) * rng.randint(4, 15)
    born = (person.date_of_birth + timedelta(days=365 * years + rng.randrange(365))).isoformat()
    return _entry(f"{family.latin} {given.latin}", (), born, book.nationality, document.number)


_Variant = Callable[[Random, ListedPerson, NameBook], dict[str, str]]
_VARIANTS: dict[str, _Variant] = {
    "hangul": _hangul,
    "mccune_reischauer": _mccune_reischauer,
    "kanji_kana": _kanji_kana,
    "long_vowels_swapped": _long_vowels_swapped,
    "han": _han,
    "pinyin": _pinyin,
    "cyrillic": _cyrillic,
    "diacritics_swapped": _diacritics_swapped,
    "typo_year_only": _typo_year_only,
    "spacing": _spacing,
    "thai_swapped": _thai_swapped,
    "lost_document": _lost_document,
    "stolen_document": _stolen_document,
}


def _known(person: ListedPerson, book: NameBook) -> bool:
    return bool(book.native_family(person.family_name) and book.native_given(person.given_names))


def _long_vowel(person: ListedPerson, book: NameBook) -> bool:
    if not _known(person, book):
        return False
    family, given = _native(person, book)
    return (
        japanese.hepburn(family.native[1]) != family.latin
        or japanese.hepburn(given.native[1]) != given.latin
    )


def _diacritic(person: ListedPerson, book: NameBook) -> bool:
    if not _known(person, book):
        return False
    family, given = _native(person, book)
    return family.home != family.latin.title() or given.home != given.latin.title()


# What a traveller's name must have for a variant to rewrite it.
_FITS: dict[str, Callable[[ListedPerson, NameBook], bool]] = {
    "hangul": _known,
    "mccune_reischauer": _known,
    "kanji_kana": _known,
    "long_vowels_swapped": _long_vowel,
    "han": _known,
    "pinyin": lambda person, book: _known(person, book) and "-" in person.given_names,
    "cyrillic": _known,
    "diacritics_swapped": _diacritic,
    "typo_year_only": lambda person, book: len(person.family_name) >= 5,
    "spacing": lambda person, book: " " in person.family_name or " " in person.given_names,
    "thai_swapped": _known,
}


# Invented entries: never a traveller's name with a birth that could be theirs.


@cache
def _reading(han: str) -> str:
    """Han characters read in pinyin: where Chinese names of the mainland, Taiwan and Hong Kong
    meet whatever their passports' spelling."""
    return "".join(part.spellings[0] for part in parse(han, "CN").parts)


def _name_key(book: NameBook, family: NameForm, given: NameForm) -> tuple[str, str]:
    """Where spellings of one name meet: pinyin for Han, the Hangul, the kana, the Cyrillic
    (a man's form), the passport's Latin otherwise (its first given name)."""
    if book.script.startswith("Han"):
        return _reading(family.home), _reading(given.home)
    if book.nationality in ("KR", "RU"):
        return family.home.removesuffix("а"), given.home
    return family.latin, given.latin.split()[0]  # Japanese: 大野 and 小野 are both ONO


def _births_by_name(aboard: list[_Aboard]) -> dict[tuple[str, str], set[int]]:
    """The travellers' years of birth under each key their name may have."""
    found: dict[tuple[str, str], set[int]] = {}
    for a in aboard:
        book = name_books().get(a.person.nationality or "")
        if book is None or a.person.date_of_birth is None:
            continue
        families = book.native_family(a.person.family_name)
        givens = book.native_given(a.person.given_names)
        for family in families:
            for given in givens:
                found.setdefault(_name_key(book, family, given), set()).add(
                    a.person.date_of_birth.year
                )
    return found


def _invented(
    rng: Random, today: date, born: dict[tuple[str, str], set[int]], documents: set[str]
) -> dict[str, str]:
    """An invented entry in its nationality's script; if a traveller has the same name, born
    years apart from every such traveller, with a full date (which then rules the name out)."""
    config = _week_data()["watch_list"]
    book = name_books()[_pick(rng, config["scripts"])]
    woman = rng.random() < 0.3
    family = book.feminine(book.family_name(rng)) if woman else book.family_name(rng)
    given = book.given(rng, woman)
    name, aliases = _written(rng, book, family, given, woman)
    years = born.get(_name_key(book, family, given))
    birth = _watched_birth(rng, today, years).isoformat()
    roll = rng.random()
    if years is None and roll >= config["full_date"]:
        birth = birth[:4] if roll < config["full_date"] + config["year_only"] else ""
    document = ""
    if rng.random() < config["document"]:
        while (document := _number(rng, book.passport)) in documents:
            pass
    return _entry(
        name,
        aliases,
        birth,
        book.nationality if rng.random() < config["nationality"] else "",
        document,
        rng.choice(config["reasons"] if document else _person_reasons()),
    )


def _watched_birth(rng: Random, today: date, years: set[int] | None) -> date:
    while True:
        birth = _born(rng, today, 20, 72)
        if years is None or all(abs(birth.year - year) >= 3 for year in years):
            return birth


def _written(
    rng: Random, book: NameBook, family: NameForm, given: NameForm, woman: bool
) -> tuple[str, list[str]]:
    """The name as a watch list writes it: in its script with a Latin or kana alias, or in
    Latin letters alone."""
    latin = f"{family.latin} {given.latin}"
    native = book.full_native(family, given)
    if not family.native or book.script == "Latin with diacritics":
        return (native if rng.random() < 0.5 else latin), []
    if book.nationality == "JP":  # kanji cannot be read alone: a kana or Latin alias
        kana = f"{family.native[1]} {given.native[1]}"
        return native, [kana if rng.random() < 0.6 else latin]
    if book.nationality == "RU" and rng.random() < 0.6:
        patronymic = rng.choice(book.patronymics)[1 if woman else 0]
        return f"{native} {patronymic}", [latin] if rng.random() < 0.4 else []
    if book.nationality == "KR" and rng.random() < 0.5:
        return native, [f"{family.latin} {' '.join(korean.passport(c) for c in given.home)}"]
    roll = rng.random()
    if roll < 0.45:
        return native, [latin]
    return (native, []) if roll < 0.8 else (latin, [])
