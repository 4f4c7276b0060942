"""Flights and cruise calls: found from what a person list says of its journey, created when
Kouan does not know them yet (an airline's list is often the first Kouan hears of a flight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from kouan.adapters.db.passenger_tables import CruiseCall, Flight
from kouan.domain.agency import OrgType
from kouan.domain.health import Stay
from kouan.domain.identifiers import airport_country
from kouan.domain.person_list import Direction, Issue, Leg, PersonList, error
from kouan.services.passengers import cruises
from kouan.services.platform.unit_of_work import UnitOfWork
from kouan.site import PORT, PORT_ZONE, airport


@dataclass(frozen=True)
class Journey:
    """The flight or cruise call a list is for, as the rules and the figures need it."""

    kind: str  # "flight" / "cruise"
    id: int
    port: str
    direction: Direction
    at: datetime  # UTC: the arrival at, or the departure from, the port
    route: tuple[Stay, ...]  # the stops before the port (arriving) or after it (departing)
    label: str  # "KE845 ICN-TAO"

    @property
    def day(self) -> date:
        return self.at.astimezone(PORT_ZONE).date()

    @property
    def route_code(self) -> str:
        return self.label.split(" ", 1)[1] if " " in self.label else ""


def attach(uow: UnitOfWork, person_list: PersonList) -> Journey:
    """The journey of the list, created if new: a cruise line's lists are for cruise calls,
    everyone else's for flights."""
    if uow.actor.org_type is OrgType.CRUISE_LINE:
        return _cruise(uow, person_list)
    return _flight(uow, person_list)


def problems(person_list: PersonList) -> list[Issue]:
    """What keeps the list off any journey: no flight or voyage number, no time at the port.
    Such a list cannot be trusted to be the one it claims: it is refused."""
    found = []
    if not "".join((person_list.transport_id or "").split()):
        found.append(error("TDT", "C222/8212", "list.no_transport_id"))
    direction = direction_of(person_list)
    if _local_moment(person_list, direction) is None:
        arriving = direction is Direction.ARRIVING
        key = "list.no_arrival_time" if arriving else "list.no_departure_time"
        found.append(error("DTM", "C507/2380", key))
    return found


def _here(place: str | None) -> bool:
    codes = {PORT, airport().iata, airport().icao}
    return place is not None and place.upper() in codes


def direction_of(person_list: PersonList) -> Direction:
    """As the list says; else arriving when its last leg ends here."""
    if person_list.direction is not None:
        return person_list.direction
    last = person_list.arrival
    if last is not None and last.arrival_place and not _here(last.arrival_place):
        return Direction.DEPARTING
    return Direction.ARRIVING


def _local_moment(person_list: PersonList, direction: Direction) -> datetime | None:
    leg = person_list.arrival if direction is Direction.ARRIVING else person_list.departure
    if leg is None:
        return None
    return leg.arrival_at if direction is Direction.ARRIVING else leg.departure_at


def _moment(person_list: PersonList, direction: Direction) -> datetime:
    """When the journey reaches (or leaves) the port, in UTC (lists give the port's local
    time); `problems` has made sure the list says."""
    local = _local_moment(person_list, direction)
    assert local is not None, "a list without its time at the port is refused before"
    if local.tzinfo is None:
        local = local.replace(tzinfo=PORT_ZONE)
    return local.astimezone(UTC)


def _route(person_list: PersonList, direction: Direction, day: date) -> tuple[Stay, ...]:
    """The places of the legs other than the port: where travellers were before arriving."""
    places: list[tuple[str, date]] = []
    for leg in person_list.legs:
        for place, at in (
            (leg.departure_place, leg.departure_at),
            (leg.arrival_place, leg.arrival_at),
        ):
            if place and not _here(place) and place not in {p for p, _ in places}:
                places.append((place, (at.date() if at else day)))
    return tuple(Stay(place, when, when, country=airport_country(place)) for place, when in places)


def _ends(legs: list[Leg], direction: Direction) -> tuple[str, str]:
    first, last = legs[0] if legs else Leg(), legs[-1] if legs else Leg()
    origin = (first.departure_place or "").upper()[:5]
    destination = (last.arrival_place or "").upper()[:5]
    if direction is Direction.ARRIVING and not destination:
        destination = airport().iata
    if direction is Direction.DEPARTING and not origin:
        origin = airport().iata
    return origin, destination


def _number(person_list: PersonList) -> str:
    number = "".join((person_list.transport_id or "").split()).upper()
    # An airline's designator (two or three characters) leads its flight numbers: "845" of KE is
    # KE845. A ship's name (a cruise's carrier) is not part of its voyage number.
    carrier = (person_list.carrier or "").upper()
    if len(carrier) > 3 or number.startswith(carrier):
        return number
    return f"{carrier}{number}"


def _flight(uow: UnitOfWork, person_list: PersonList) -> Journey:
    direction = direction_of(person_list)
    number = _number(person_list)[:10]
    at = _moment(person_list, direction)
    origin, destination = _ends(person_list.legs, direction)
    row = uow.session.scalars(
        select(Flight).where(
            Flight.number == number, Flight.direction == direction.value, Flight.scheduled_at == at
        )
    ).first()
    if row is None:
        row = Flight(
            port=airport().iata,
            airline_org_id=uow.actor.org_id,
            number=number,
            direction=direction.value,
            origin=origin,
            destination=destination,
            route=[_leg(leg) for leg in person_list.legs],
            scheduled_at=at,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "flight.created", "flight", row.id, None, {"number": number, "at": at.isoformat()}
        )
    day = at.astimezone(PORT_ZONE).date()
    label = f"{number} {row.origin}-{row.destination}"
    return Journey(
        "flight", row.id, row.port, direction, at, _route(person_list, direction, day), label
    )


def _cruise(uow: UnitOfWork, person_list: PersonList) -> Journey:
    direction = direction_of(person_list)
    voyage = _number(person_list)[:20]
    at = _moment(person_list, direction)
    day = at.astimezone(PORT_ZONE).date()
    rows = uow.session.scalars(
        select(CruiseCall).where(
            CruiseCall.voyage == voyage,
            CruiseCall.cruise_line_org_id == uow.actor.org_id,
            CruiseCall.eta >= at - timedelta(days=2),
            CruiseCall.eta <= at + timedelta(days=2),
        )
    ).all()
    row = rows[0] if rows else None
    if row is None:
        origin, _ = _ends(person_list.legs, direction)
        row = CruiseCall(
            port=PORT,
            cruise_line_org_id=uow.actor.org_id,
            ship_name=(person_list.vessel or person_list.carrier or voyage)[:100],
            voyage=voyage,
            origin=origin,
            eta=at,
            etd=at if direction is Direction.DEPARTING else None,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit("cruise_call.created", "cruise_call", row.id, None, {"voyage": voyage})
    elif direction is Direction.DEPARTING and row.etd is None:
        row.etd = at
    cruises.link_cruise(uow, row)
    label = f"{voyage} {row.origin or '-'}-{row.port}"
    return Journey(
        "cruise", row.id, row.port, direction, at, _route(person_list, direction, day), label
    )


def _leg(leg: Leg) -> dict[str, str | None]:
    return {
        "departure_place": leg.departure_place,
        "departure_at": leg.departure_at.isoformat() if leg.departure_at else None,
        "arrival_place": leg.arrival_place,
        "arrival_at": leg.arrival_at.isoformat() if leg.arrival_at else None,
    }
