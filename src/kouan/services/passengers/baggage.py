"""Baggage behind the scenes (后台查验): checked bags known from the airline's baggage messages,
selected by customs' parameters for X-ray behind the belt before their owners reach the hall.

A passenger whose bags are not selected walks out; a selected bag's owner is called by name at
the exit (the baggage hall board), and customs clears or holds the bag. Each bag keeps when it
was received, selected and decided, so the hall's times are measured.

Selection is by the owner's risk (referred, refused or held by any agency at the screening of
the passenger list), the route (a place of the flight on customs' list) and a random rate that
is deterministic per tag and flight, so that a rerun selects the same bags. Each selected bag
keeps its reasons as message keys with parameters (kouan.domain.reasons).
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import Bag, Flight, ListedPersonRow, PersonListRow
from kouan.domain import reasons
from kouan.domain.agency import OrgType, ReviewStatus
from kouan.domain.errors import FieldErrors, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import Reason, render
from kouan.services.passengers import manifest
from kouan.services.passengers.crossings import full_name, referrals_of
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.port_office.board import start_of_day
from kouan.site import airport

TEMPLATES: dict[str, str] = {
    "baggage.owner_referred": "owner {owner} is referred by {agencies}",
    "baggage.owner_refused": "owner {owner} is refused by {agencies}",
    "baggage.owner_held": "owner {owner} is held by {agencies}",
    "baggage.owner_inspection": "owner {owner} is sent to inspection by {agencies}",
    "baggage.agency.CUSTOMS": "customs",
    "baggage.agency.CIQ": "inspection and quarantine",
    "baggage.agency.BORDER": "border inspection",
    "baggage.agency.MSA": "maritime safety",
    "baggage.agency.unknown": "an agency",
    "baggage.route": "the flight comes from {place}, a route customs selects",
    "baggage.random": "random selection at a rate of {rate}%",
}


def register_templates() -> None:
    """Add the baggage reasons to the catalogue (called from kouan.bootstrap)."""
    reasons.register(TEMPLATES)


# Customs' selection parameters (a versioned customs rule set may take them over): the owner
# statuses that select every bag of the owner (each has its owner_* template above), the places
# (IATA codes) a flight's route may pass through to select its bags, and the share of all other
# bags selected at random. The routes are examples for the demo port: customs sets its own.
CUSTOMS_BAG_SELECTION: dict[str, Any] = {
    "owner_statuses": ["referred", "refused", "held"],
    "routes": ["BKK", "KUL", "DXB"],
    "random_rate": 0.03,
}
# IATA Resolution 740's licence plate: a leading digit, the carrier's three-digit code, six
# serial digits.
TAG = re.compile(r"^[0-9]{10}$")
# A bag waiting for customs: selected (on the X-ray belt) or its owner called at the exit.
WAITING = ("selected", "called")
MAX_BAGS = 2000


# --- selection (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """A bag's owner as selection sees them: the name, the screening's status and the agencies
    whose reviews stopped them (empty for an owner not on the passenger list)."""

    name: str
    status: str | None = None
    agencies: tuple[str, ...] = field(default_factory=tuple)


def random_pick(tag: str, flight_key: str, rate: float) -> bool:
    """Whether the random rate selects the bag: a hash of flight and tag read as a fraction of
    one, so the same bag of the same flight is selected on every run and nothing else is."""
    digest = hashlib.sha256(f"{flight_key}|{tag}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def flight_key(flight: Flight) -> str:
    """What names a flight across runs (ids differ between databases): number and time."""
    return f"{flight.number}@{flight.scheduled_at.strftime('%Y-%m-%dT%H:%MZ')}"


def selection_reasons(
    tag: str,
    key: str,
    places: Sequence[str],
    owner: Owner | None,
    params: Mapping[str, Any] = CUSTOMS_BAG_SELECTION,
) -> list[Reason]:
    """Why the bag is selected (none: it is released): the owner's risk, the route, the random
    rate, each that applies, in that order."""
    found: list[Reason] = []
    if owner is not None and owner.status in params["owner_statuses"]:
        found.append(_owner_risk(owner))
    routes = {code.upper() for code in params["routes"]}
    place = next((p for p in places if p.upper() in routes), None)
    if place is not None:
        found.append(Reason("baggage.route", {"place": place}))
    rate = float(params["random_rate"])
    if not found and random_pick(tag, key, rate):
        # Random only among bags no rule selected, so the rate is the share of the others.
        found.append(Reason("baggage.random", {"rate": f"{rate * 100:g}"}))
    return found


def _owner_risk(owner: Owner) -> Reason:
    agencies = [
        Reason(f"baggage.agency.{a}" if f"baggage.agency.{a}" in TEMPLATES else "text", {"text": a})
        for a in owner.agencies
    ] or [Reason("baggage.agency.unknown")]
    return Reason(f"baggage.owner_{owner.status}", {"owner": owner.name, "agencies": agencies})


def route_places(flight: Flight) -> list[str]:
    """The places a flight's bags came through: its origin and each leg's departure, not here."""
    here = {airport().iata, airport().icao}
    places = [flight.origin, *(leg.get("departure_place") or "" for leg in flight.route or [])]
    seen: list[str] = []
    for place in places:
        code = (place or "").upper()
        if code and code not in here and code not in seen:
            seen.append(code)
    return seen


# --- receiving the airline's bags -------------------------------------------------------------


@dataclass
class _Roster:
    """The flight's passengers as bags name them: by place in the latest original list, by name
    and by the bag tags the list gave."""

    by_seq: dict[int, ListedPersonRow]
    by_name: dict[str, list[ListedPersonRow]]
    by_tag: dict[str, ListedPersonRow]


def receive_bags(
    ctx: ServiceContext, actor: Actor, flight_id: int, bags: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The airline's checked bags of one of its arriving flights, each `{tag, owner}` (owner: the
    person's place in the flight's passenger list, from 1, or a name; left out, the list's bag
    tags name them). The whole message is refused naming each bad tag or owner; accepted, each
    bag is selected for X-ray or released at once."""
    require(actor, Action.BAGGAGE_SEND)
    with ctx.uow(actor) as uow:
        flight = _flight(uow, flight_id, for_update=True)
        if actor.org_id != flight.airline_org_id:
            raise NotFound(f"flight {flight_id} not found")
        if flight.direction != "arriving":
            raise ValidationFailed.one("flight_id", flight_id, "an arriving flight")
        roster = _roster(uow, flight)
        owners = _checked(bags, roster, _known_tags(uow, flight.id))
        owners_risk = _owners(uow, [p for _, p, _ in owners if p is not None])
        rows = [_bag(uow, flight, tag, person, name, owners_risk) for tag, person, name in owners]
        uow.session.add_all(rows)
        uow.session.flush()
        selected = [row.tag for row in rows if row.status == "selected"]
        uow.audit(
            "bags.received", "flight", flight.id, None, {"bags": len(rows), "selected": selected}
        )
        answer = {
            "flight_id": flight.id,
            "received": len(rows),
            "selected": len(selected),
            "released": len(rows) - len(selected),
            "unmatched": [row.tag for row in rows if row.person_id is None],
            "bags": [bag_view(row, reasons_shown=_sees_reasons(actor)) for row in rows],
        }
        uow.commit()
    return answer


def _flight(uow: UnitOfWork, flight_id: int, for_update: bool = False) -> Flight:
    flight = (
        uow.session.get(Flight, flight_id, with_for_update=for_update)
        if valid_id(flight_id)
        else None
    )
    if flight is None:
        raise NotFound(f"flight {flight_id} not found")
    return flight


def _roster(uow: UnitOfWork, flight: Flight) -> _Roster:
    persons = manifest.aboard(uow, PersonListRow.flight_id == flight.id, "passengers", "arriving")
    roster = _Roster({}, {}, {})
    first = persons[0].list_id if persons else None
    for person in persons:
        if person.list_id == first:  # places are those of the list in force first (the original)
            roster.by_seq[person.seq] = person
        roster.by_name.setdefault(_name_key(full_name(person)), []).append(person)
        for tag in (person.details or {}).get("bag_tags") or []:
            roster.by_tag.setdefault(str(tag).strip(), person)
    return roster


def _name_key(name: str) -> str:
    """A name as bags and lists both write it: "Kim/Minjun" and "KIM MINJUN" alike."""
    return " ".join(name.replace("/", " ").upper().split())


def _known_tags(uow: UnitOfWork, flight_id: int) -> set[str]:
    return set(uow.session.scalars(select(Bag.tag).where(Bag.flight_id == flight_id)))


Resolved = tuple[str, ListedPersonRow | None, str]  # tag, the owner on the list, the owner's name


def _checked(bags: Sequence[Mapping[str, Any]], roster: _Roster, known: set[str]) -> list[Resolved]:
    """Each bag's tag checked and its owner found; every bad tag or owner named at once."""
    errors = FieldErrors()
    if not bags or len(bags) > MAX_BAGS:
        raise ValidationFailed.one("bags", len(bags), f"from 1 to {MAX_BAGS} bags")
    first_at: dict[str, int] = {}
    out: list[Resolved] = []
    for n, bag in enumerate(bags):
        tag = bag.get("tag")
        if not isinstance(tag, str) or not TAG.match(tag):
            errors.add(f"bags[{n}].tag", tag, "a bag tag: 10 digits (the IATA licence plate)")
            continue
        if tag in known:
            errors.add(f"bags[{n}].tag", tag, "a tag not yet received for this flight")
        elif tag in first_at:
            errors.add(f"bags[{n}].tag", tag, f"a tag given once (bags[{first_at[tag]}] has it)")
        first_at.setdefault(tag, n)
        resolved = _owner(bag.get("owner"), tag, roster)
        if isinstance(resolved, str):
            errors.add(f"bags[{n}].owner", bag.get("owner"), resolved)
            continue
        out.append((tag, *resolved))
    errors.raise_if_any("bags")
    return out


def _owner(owner: Any, tag: str, roster: _Roster) -> tuple[ListedPersonRow | None, str] | str:
    """The owner on the list and their name; or what was expected instead (a refusal)."""
    if owner is None or owner == "":
        person = roster.by_tag.get(tag)
        if person is None:
            return "the owner (a place in the passenger list or a name): the list has no such tag"
        return person, full_name(person)
    if isinstance(owner, int) and not isinstance(owner, bool):
        person = roster.by_seq.get(owner)
        if person is None and not roster.by_seq:
            return "the owner's name: the flight has no passenger list to count places in"
        if person is None:
            return f"a place in the flight's passenger list, from 1 to {len(roster.by_seq)}"
        return person, full_name(person)
    if isinstance(owner, str) and owner.strip():
        # A name matching one person links the bag to them; otherwise the name alone is kept
        # (the owner's risk cannot be known, route and random rate still apply).
        found = roster.by_name.get(_name_key(owner), [])
        person = found[0] if len({p.document_number or p.id for p in found}) == 1 else None
        return person, (full_name(person) if person else " ".join(owner.split()))[:200]
    return "the owner: a place in the flight's passenger list (a number) or a name"


def _owners(uow: UnitOfWork, persons: Sequence[ListedPersonRow]) -> dict[int, Owner]:
    """The owners on the list as selection sees them, with the agencies that stopped them."""
    found = referrals_of(uow, [p for p in persons if p.status != "cleared"])
    out: dict[int, Owner] = {}
    for person in persons:
        agencies = tuple(
            dict.fromkeys(
                r["agency"]
                for r in found.get(person.id, [])
                if r["status"] != ReviewStatus.APPROVED
            )
        )
        out[person.id] = Owner(full_name(person), person.status, agencies)
    return out


def _bag(
    uow: UnitOfWork,
    flight: Flight,
    tag: str,
    person: ListedPersonRow | None,
    name: str,
    owners: Mapping[int, Owner],
) -> Bag:
    owner = owners.get(person.id) if person is not None else Owner(name)
    found = selection_reasons(
        tag, flight_key(flight), route_places(flight), owner, CUSTOMS_BAG_SELECTION
    )
    return Bag(
        flight_id=flight.id,
        tag=tag,
        person_id=person.id if person is not None else None,
        owner_name=name,
        status="selected" if found else "released",
        reasons=[r.as_dict() for r in found],
        received_at=uow.now,
        selected_at=uow.now if found else None,
    )


# --- customs at the belt and the exit ---------------------------------------------------------


def call_owner(ctx: ServiceContext, actor: Actor, bag_id: int) -> dict[str, Any]:
    """Call a selected bag's owner by name at the exit (again, if they have not come)."""
    require(actor, Action.BAGGAGE_DECIDE)
    with ctx.uow(actor) as uow:
        bag = _find_bag(uow, bag_id)
        if bag.status not in WAITING:
            raise InvalidTransition(
                f"bag {bag.tag} is {bag.status}: only a selected bag's owner is called"
            )
        before = {"status": bag.status}
        bag.status = "called"
        # The bag has no column of its own for it: the call's time is the audit entry's.
        uow.audit(
            "bag.called",
            "bag",
            bag.id,
            before,
            {"status": bag.status, "called_at": uow.now.isoformat()},
        )
        view = bag_view(bag, reasons_shown=True)
        uow.commit()
    return view


def decide_bag(
    ctx: ServiceContext, actor: Actor, bag_id: int, cleared: bool, note: str = ""
) -> dict[str, Any]:
    """Customs' decision on a selected bag: cleared (its owner may go) or held (a note says
    why). Both are audited with the note."""
    require(actor, Action.BAGGAGE_DECIDE)
    note = note.strip()
    if not cleared and not note:
        raise ValidationFailed.one("note", note, "the reason the bag is held")
    with ctx.uow(actor) as uow:
        bag = _find_bag(uow, bag_id)
        if bag.status not in WAITING:
            raise InvalidTransition(
                f"bag {bag.tag} is {bag.status}: only a selected bag is decided"
            )
        before = {"status": bag.status}
        bag.status = "cleared" if cleared else "held"
        bag.decided_at = uow.now
        uow.audit("bag.decided", "bag", bag.id, before, {"status": bag.status, "note": note})
        view = bag_view(bag, reasons_shown=True)
        uow.commit()
    return view


def _find_bag(uow: UnitOfWork, bag_id: int) -> Bag:
    # Locked: two officers deciding one bag at once; the second finds it decided.
    bag = uow.session.get(Bag, bag_id, with_for_update=True) if valid_id(bag_id) else None
    if bag is None:
        raise NotFound(f"bag {bag_id} not found")
    return bag


# --- reading: a flight's bags and the hall board ----------------------------------------------


def _sees_reasons(actor: Actor) -> bool:
    # Why bags are selected is customs' risk knowledge, like its risk rules: an airline that
    # learnt the routes and the rate could route around them.
    return allowed(actor, Action.RISK_RULES_READ)


def bag_view(row: Bag, reasons_shown: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row.id,
        "flight_id": row.flight_id,
        "tag": row.tag,
        "person_id": row.person_id,
        "owner_name": row.owner_name,
        "status": row.status,
        "received_at": row.received_at.isoformat(),
        "selected_at": row.selected_at.isoformat() if row.selected_at else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }
    if reasons_shown:
        view["reasons"] = [
            {**r, "text": render(r.get("key"), r.get("params"))} for r in row.reasons or []
        ]
    return view


def flight_bags(ctx: ServiceContext, actor: Actor, flight_id: int) -> dict[str, Any]:
    """A flight's bags with the board's counts and times (an airline: its own flights)."""
    require(actor, Action.BAGGAGE_READ)
    with ctx.uow(actor, write=False) as uow:
        flight = _flight(uow, flight_id)
        if actor.org_type is OrgType.AIRLINE and flight.airline_org_id != actor.org_id:
            raise NotFound(f"flight {flight_id} not found")
        rows = list(
            uow.session.scalars(select(Bag).where(Bag.flight_id == flight.id).order_by(Bag.id))
        )
        shown = _sees_reasons(actor)
        return {**board_of(flight, rows), "bags": [bag_view(r, shown) for r in rows]}


def hall_board(ctx: ServiceContext, actor: Actor, flight_id: int | None = None) -> dict[str, Any]:
    """The baggage hall board: each flight landed today with checked bags (or the one asked
    for), latest first: its counts, the owners to call by name and the times."""
    require(actor, Action.BAGGAGE_READ)
    with ctx.uow(actor, write=False) as uow:
        flights = _landed_today(uow, actor, flight_id)
        by_flight: dict[int, list[Bag]] = {f.id: [] for f in flights}
        if by_flight:
            query = select(Bag).where(Bag.flight_id.in_(by_flight)).order_by(Bag.id)
            for bag in uow.session.scalars(query):
                by_flight[bag.flight_id].append(bag)
        boards = [board_of(f, by_flight[f.id]) for f in flights if by_flight[f.id]]
        return {"at": uow.now.isoformat(), "flights": boards}


def _landed_today(uow: UnitOfWork, actor: Actor, flight_id: int | None) -> list[Flight]:
    landed = func.coalesce(Flight.actual_at, Flight.scheduled_at)
    query = select(Flight).where(
        Flight.direction == "arriving",
        landed >= start_of_day(uow.now),
        landed <= uow.now,
        Flight.id.in_(select(Bag.flight_id)),
    )
    if actor.org_type is OrgType.AIRLINE:
        query = query.where(Flight.airline_org_id == actor.org_id)
    if flight_id is not None:
        query = query.where(Flight.id == flight_id)
    return list(uow.session.scalars(query.order_by(landed.desc(), Flight.id.desc())))


def board_of(flight: Flight, bags: Sequence[Bag]) -> dict[str, Any]:
    """A flight's counts, its owners to call (one line an owner, with their bags' tags, in the
    order their bags were selected) and the median minutes from selection to decision."""
    counts = Counter(bag.status for bag in bags)
    waiting = sorted((b for b in bags if b.status in WAITING), key=lambda b: (b.selected_at, b.id))
    to_call: dict[str, dict[str, Any]] = {}
    for bag in waiting:
        owner = to_call.setdefault(
            str(bag.person_id or bag.owner_name),
            {"name": bag.owner_name, "tags": [], "called": False, "since": _iso(bag.selected_at)},
        )
        owner["tags"].append(bag.tag)
        owner["called"] = owner["called"] or bag.status == "called"
    decided = [_minutes(b.selected_at, b.decided_at) for b in bags if b.decided_at]
    minutes = [m for m in decided if m is not None]
    return {
        "flight": _flight_view(flight),
        "counts": {
            "bags": len(bags),
            "selected": sum(1 for b in bags if b.selected_at is not None),
            "released": counts["released"],
            "waiting": counts["selected"] + counts["called"],
            "called": counts["called"],
            "cleared": counts["cleared"],
            "held": counts["held"],
        },
        "to_call": list(to_call.values()),
        "median_minutes": round(statistics.median(minutes), 1) if minutes else None,
    }


def _flight_view(flight: Flight) -> dict[str, Any]:
    return {
        "id": flight.id,
        "number": flight.number,
        "origin": flight.origin,
        "scheduled_at": flight.scheduled_at.isoformat(),
        "landed_at": _iso(flight.actual_at or flight.scheduled_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60
