"""Crossings: each person's actual crossing at a border counter, an e-gate or a cruise ship's
gangway, recorded as it happens, so that clearance times and passengers per hour are measured
rather than assumed.

A person the screening referred (and no officer has cleared since) who presents at a counter is
not passed: the answer says so at once, with the person's hits and referrals, so that the officer
there sees them. A cruise call is pre-cleared before it arrives: its passengers go ashore by group
(deck, tour group); those still referred are the group's exceptions and stay aboard.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from kouan.adapters.db.passenger_tables import (
    Crossing,
    CruiseCall,
    Flight,
    ListedPersonRow,
    PersonListRow,
)
from kouan.adapters.db.tables import PortCall, Review, ReviewTarget
from kouan.domain.errors import FieldErrors, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import render
from kouan.rules.person_list import target
from kouan.rules.registry import PERSON_LIST
from kouan.services.passengers import manifest
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row
from kouan.services.port_office.board import start_of_day
from kouan.services.stats import rollups
from kouan.site import PORT_ZONE

# A person in any of these is not passed at a counter nor released with a group: referred by the
# screening, held, refused or sent to inspection by an agency, or not yet screened at all.
STOPPING = frozenset({"pending", "referred", "held", "refused", "inspection"})
DIRECTIONS = ("arriving", "departing")
# "Today's journeys" for a crossing: flights within a day of it either way (a late flight, an
# early check-in); cruise calls that arrived within a week and have not left a day before.
FLIGHT_WINDOW = timedelta(hours=24)
CRUISE_STAY = timedelta(days=7)
# Gates' clocks drift: a crossing a few minutes "in the future" is the gate's clock, not a typo.
CLOCK_SKEW = timedelta(minutes=5)
PORT_CODE = re.compile(r"^[A-Z0-9]{3,5}$")  # IATA airport code or UN/LOCODE
COUNTER_NAME = re.compile(r"^[A-Z0-9][A-Z0-9 _-]{0,19}$")  # "E-GATE-03", "COUNTER-12"
GANGWAY = "GANGWAY"


# --- recording a crossing ---------------------------------------------------------------------


def record_crossing(
    ctx: ServiceContext,
    actor: Actor,
    port: str,
    counter: str,
    direction: str,
    document_number: str | None = None,
    person_id: int | None = None,
    queued_at: datetime | None = None,
    crossed_at: datetime | None = None,
) -> dict[str, Any]:
    """Record a person's crossing at a counter or gate, found by document number among the lists
    of today's journeys (or by `person_id`). A person still referred is held, not passed: the
    answer carries the person's hits and referrals for the officer at the counter."""
    require(actor, Action.CROSSING_RECORD)
    port, counter = port.strip().upper(), counter.strip().upper()
    with ctx.uow(actor) as uow:
        crossed = crossed_at or uow.now
        _check_crossing(port, counter, direction, document_number, person_id, queued_at, crossed,
                        uow.now)  # fmt: skip
        person = _find_person(uow, document_number, person_id, direction, crossed)
        held = person is not None and person.status in STOPPING
        row = Crossing(
            person_id=person.id if person else None,
            list_id=person.list_id if person else None,
            port=port,
            counter=counter,
            direction=direction,
            queued_at=queued_at,
            crossed_at=crossed,
            outcome="held" if held else "passed",
            recorded_by=actor.user_id or None,
        )
        uow.session.add(row)
        uow.session.flush()
        rollups.crossings_recorded(uow, [row])
        uow.audit("crossing.recorded", "crossing", row.id, None, _audited(row))
        answer = _crossing_answer(uow, row, person)
        uow.commit()
    return answer


def _check_crossing(
    port: str,
    counter: str,
    direction: str,
    document_number: str | None,
    person_id: int | None,
    queued_at: datetime | None,
    crossed: datetime,
    now: datetime,
) -> None:
    """Every field checked before anything is refused, so one answer names all that is wrong."""
    errors = FieldErrors()
    if not PORT_CODE.match(port):
        errors.add("port", port, "an IATA airport code or a UN/LOCODE, e.g. TAO or CNTAO")
    if not COUNTER_NAME.match(counter):
        errors.add("counter", counter, "a counter or gate of up to 20 letters, digits and -")
    if direction not in DIRECTIONS:
        errors.add("direction", direction, "arriving or departing")
    if (document_number is None) == (person_id is None):
        errors.add("document_number", document_number, "either a document number or a person_id")
    elif document_number is not None and not _document(document_number):
        errors.add("document_number", document_number, "a travel document's number")
    if crossed.tzinfo is None:
        errors.add("crossed_at", crossed.isoformat(), "a time with its UTC offset")
    elif crossed > now + CLOCK_SKEW:
        errors.add("crossed_at", crossed.isoformat(), "a time not in the future")
    if queued_at is not None and queued_at.tzinfo is None:
        errors.add("queued_at", queued_at.isoformat(), "a time with its UTC offset")
    elif queued_at is not None and crossed.tzinfo is not None and queued_at > crossed:
        errors.add("queued_at", queued_at.isoformat(), "a time before crossed_at")
    errors.raise_if_any("crossing")


def _document(number: str) -> str:
    """A document number as lists keep it: capitals, no spaces."""
    return "".join(number.split()).upper()[:35]


def _find_person(
    uow: UnitOfWork,
    document_number: str | None,
    person_id: int | None,
    direction: str,
    at: datetime,
) -> ListedPersonRow | None:
    if person_id is not None:
        person = uow.session.get(ListedPersonRow, person_id) if valid_id(person_id) else None
        if person is None:
            raise NotFound(f"person {person_id} not found")
        return person
    assert document_number is not None
    found = _on_todays_lists(uow, _document(document_number), direction, at)
    # The same document on several lists (a list sent again, an added list): a stop on any of
    # them stops the person; else the latest list's entry is the one in force.
    stopped = [p for p in found if p.status in STOPPING]
    chosen = stopped or found
    return chosen[0] if chosen else None


def _on_todays_lists(
    uow: UnitOfWork, number: str, direction: str, at: datetime
) -> list[ListedPersonRow]:
    """The entries of the document on the lists of the journeys around `at`, latest list first."""
    flights = select(Flight.id).where(
        or_(
            Flight.scheduled_at.between(at - FLIGHT_WINDOW, at + FLIGHT_WINDOW),
            Flight.actual_at.between(at - FLIGHT_WINDOW, at + FLIGHT_WINDOW),
        )
    )
    cruises = select(CruiseCall.id).where(
        CruiseCall.eta.between(at - CRUISE_STAY, at + FLIGHT_WINDOW),
        or_(CruiseCall.etd.is_(None), CruiseCall.etd >= at - FLIGHT_WINDOW),
    )
    query = (
        select(ListedPersonRow)
        .join(PersonListRow, PersonListRow.id == ListedPersonRow.list_id)
        .where(
            ListedPersonRow.document_number == number,
            PersonListRow.status != "rejected",
            PersonListRow.direction == direction,
            or_(PersonListRow.flight_id.in_(flights), PersonListRow.cruise_call_id.in_(cruises)),
        )
        .order_by(PersonListRow.received_at.desc(), PersonListRow.id.desc())
    )
    return list(uow.session.scalars(query))


def _audited(row: Crossing) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "counter": row.counter,
        "direction": row.direction,
        "outcome": row.outcome,
        "crossed_at": row.crossed_at.isoformat(),
    }


def _crossing_answer(
    uow: UnitOfWork, row: Crossing, person: ListedPersonRow | None
) -> dict[str, Any]:
    """What the counter shows: the outcome first; a held person with everything that stops
    them; a person on no list of today's journeys said to be so (the officer checks them)."""
    answer = crossing_view(row, person)
    answer["on_list"] = person is not None
    if person is not None:
        answer["journey"] = journey_label(uow, person.list_id)
    if row.outcome == "held" and person is not None:
        answer["person"] = person_view(person)
        answer["referrals"] = referrals_of(uow, [person]).get(person.id, [])
    return answer


def crossing_view(row: Crossing, person: ListedPersonRow | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "outcome": row.outcome,
        "counter": row.counter,
        "port": row.port,
        "direction": row.direction,
        "person_id": row.person_id,
        "name": full_name(person) if person else None,
        "queued_at": row.queued_at.isoformat() if row.queued_at else None,
        "crossed_at": row.crossed_at.isoformat(),
        "minutes": _minutes(row.queued_at, row.crossed_at),
    }


def full_name(person: ListedPersonRow) -> str:
    return f"{person.family_name} {person.given_names}".strip()


def person_view(person: ListedPersonRow) -> dict[str, Any]:
    """A person as an officer needs them at a counter (agencies only: the callers require it)."""
    return {
        "id": person.id,
        "list_id": person.list_id,
        "seq": person.seq,
        "name": full_name(person),
        "nationality": person.nationality,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "document_number": person.document_number,
        "status": person.status,
        "seat": person.seat,
        "deck": person.deck,
        "cabin": person.cabin,
        "tour_group": person.tour_group,
        "hits": person.hits,
    }


def referrals_of(
    uow: UnitOfWork, persons: Sequence[ListedPersonRow]
) -> dict[int, list[dict[str, Any]]]:
    """Each person's review targets, by agency: status, rules hit and the hits' reasons (key,
    parameters and the English text), in one query for all of them."""
    wanted = {(p.list_id, target(p.seq)): p.id for p in persons}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not wanted:
        return out
    query = (
        select(Review.subject_id, Review.agency, Review.hits, ReviewTarget)
        .join(ReviewTarget, ReviewTarget.review_id == Review.id)
        .where(
            Review.subject_type == PERSON_LIST,
            Review.subject_id.in_({list_id for list_id, _ in wanted}),
            ReviewTarget.target.in_({name for _, name in wanted}),
        )
        .order_by(Review.id)
    )
    for list_id, agency, hits, found in uow.session.execute(query):
        person_id = wanted.get((list_id, found.target))
        if person_id is not None:
            out[person_id].append(_referral(agency, hits or [], found))
    return out


def _referral(agency: str, hits: Iterable[dict[str, Any]], found: ReviewTarget) -> dict[str, Any]:
    return {
        "agency": agency,
        "status": found.status,
        "rules_hit": found.rules_hit,
        "reasons": [
            {
                "code": hit.get("code"),
                "key": hit.get("reason_key"),
                "params": hit.get("reason_params"),
                "text": render(hit.get("reason_key"), hit.get("reason_params")),
            }
            for hit in hits
            if hit.get("target") == found.target
        ],
    }


def journey_label(uow: UnitOfWork, list_id: int | None) -> dict[str, Any] | None:
    """The flight or cruise call of a list: kind, id and what a counter shows of it."""
    row = uow.session.get(PersonListRow, list_id) if list_id else None
    if row is None:
        return None
    if row.flight_id is not None:
        flight = uow.session.get(Flight, row.flight_id)
        label = f"{flight.number} {flight.origin}-{flight.destination}" if flight else ""
        return {"kind": "flight", "id": row.flight_id, "label": label}
    if row.cruise_call_id is not None:
        call = uow.session.get(CruiseCall, row.cruise_call_id)
        label = f"{call.ship_name} {call.voyage}" if call else ""
        return {"kind": "cruise", "id": row.cruise_call_id, "label": label}
    return None


# --- a counter's view -------------------------------------------------------------------------


def counter_view(
    ctx: ServiceContext, actor: Actor, counter: str, limit: int = 20
) -> dict[str, Any]:
    """A counter's or gate's screen: its last crossings today, today's measured figures, and
    every referred person who presented there today and is still not cleared, with what stops
    them (shown first: the officer must see them at once)."""
    require(actor, Action.CROSSING_RECORD)
    counter = counter.strip().upper()
    with ctx.uow(actor, write=False) as uow:
        since = start_of_day(uow.now)
        today = Crossing.counter == counter, Crossing.crossed_at >= since
        last = uow.session.execute(
            select(Crossing, ListedPersonRow)
            .outerjoin(ListedPersonRow, ListedPersonRow.id == Crossing.person_id)
            .where(*today)
            .order_by(Crossing.crossed_at.desc(), Crossing.id.desc())
            .limit(limit)
        ).all()
        presenting = _presenting(uow, counter, since)
        view = {
            "counter": counter,
            "presenting": [
                {**person_view(p), "referrals": found}
                for p, found in zip(
                    presenting, _ordered(referrals_of(uow, presenting), presenting), strict=True
                )
            ],
            "crossings": [crossing_view(row, person) for row, person in last],
            "figures": measured(_times(uow, *today)),
        }
    if presenting:
        # Persons' records shown to an officer are audited, by ids alone (as lists.get_list).
        with ctx.uow(actor) as uow:
            shown = [p.id for p in presenting]
            uow.audit("counter.viewed", "counter", counter, None, {"persons": shown})
            uow.commit()
    return view


def _presenting(uow: UnitOfWork, counter: str, since: datetime) -> list[ListedPersonRow]:
    """The persons held at the counter today who are still stopped, latest first, once each."""
    query = (
        select(ListedPersonRow)
        .join(Crossing, Crossing.person_id == ListedPersonRow.id)
        .where(
            Crossing.counter == counter,
            Crossing.crossed_at >= since,
            Crossing.outcome == "held",
            ListedPersonRow.status.in_(STOPPING),
        )
        .order_by(Crossing.crossed_at.desc(), Crossing.id.desc())
    )
    seen: dict[int, ListedPersonRow] = {}
    for person in uow.session.scalars(query):
        seen.setdefault(person.id, person)
    return list(seen.values())


def _ordered(
    found: dict[int, list[dict[str, Any]]], persons: Sequence[ListedPersonRow]
) -> list[list[dict[str, Any]]]:
    return [found.get(p.id, []) for p in persons]


# --- measured figures -------------------------------------------------------------------------

Times = Sequence[tuple[datetime | None, datetime]]


def _times(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[tuple[datetime | None, datetime]]:
    """(queued_at, crossed_at) of the passed crossings that match."""
    query = select(Crossing.queued_at, Crossing.crossed_at).where(
        *where, Crossing.outcome == "passed"
    )
    return [(queued, crossed) for queued, crossed in uow.session.execute(query)]


def measured(times: Times) -> dict[str, Any]:
    """Figures of passed crossings: how many; passengers per hour over the span from the first
    one's start (its queueing, else its crossing) to the last crossing (None without a span); the
    median minutes from queueing to crossing, of those whose queueing is known; and the count
    per hour at the port's clock."""
    if not times:
        return {"passed": 0, "passengers_per_hour": None, "median_minutes": None,
                "first": None, "last": None, "by_hour": []}  # fmt: skip
    start = min(queued or crossed for queued, crossed in times)
    end = max(crossed for _, crossed in times)
    hours = (end - start).total_seconds() / 3600
    minutes = [m for queued, crossed in times if (m := _minutes(queued, crossed)) is not None]
    by_hour = Counter(_hour(crossed) for _, crossed in times)
    return {
        "passed": len(times),
        "passengers_per_hour": round(len(times) / hours, 1) if hours > 0 else None,
        "median_minutes": round(statistics.median(minutes), 1) if minutes else None,
        "first": start.isoformat(),
        "last": end.isoformat(),
        "by_hour": [{"hour": hour, "passed": n} for hour, n in sorted(by_hour.items())],
    }


def _minutes(queued: datetime | None, crossed: datetime) -> float | None:
    return None if queued is None else round((crossed - queued).total_seconds() / 60, 1)


def _hour(moment: datetime) -> str:
    local = moment.astimezone(PORT_ZONE)
    return local.replace(minute=0, second=0, microsecond=0).isoformat()


def journey_figures(
    ctx: ServiceContext,
    actor: Actor,
    flight_id: int | None = None,
    cruise_call_id: int | None = None,
) -> dict[str, Any]:
    """A flight's or cruise call's measured figures, from the crossings of its lists' persons."""
    require(actor, Action.CROSSING_READ)
    with ctx.uow(actor, write=False) as uow:
        column, journey_id = _journey(uow, flight_id, cruise_call_id)
        lists = select(PersonListRow.id).where(column == journey_id)
        passed = _times(uow, Crossing.list_id.in_(lists))
        held = uow.session.scalars(
            select(Crossing.id).where(Crossing.list_id.in_(lists), Crossing.outcome == "held")
        ).all()
    kind = "flight" if flight_id is not None else "cruise"
    return {"journey": {"kind": kind, "id": journey_id}, "held": len(held), **measured(passed)}


def _journey(uow: UnitOfWork, flight_id: int | None, cruise_call_id: int | None) -> tuple[Any, int]:
    """The list column naming the journey and its id; NotFound for a journey that is not."""
    if flight_id is not None:
        if not valid_id(flight_id) or uow.session.get(Flight, flight_id) is None:
            raise NotFound(f"flight {flight_id} not found")
        return PersonListRow.flight_id, flight_id
    if cruise_call_id is None or not valid_id(cruise_call_id):
        raise NotFound(f"cruise call {cruise_call_id} not found")
    if uow.session.get(CruiseCall, cruise_call_id) is None:
        raise NotFound(f"cruise call {cruise_call_id} not found")
    return PersonListRow.cruise_call_id, cruise_call_id


# --- cruise calls: released by group ----------------------------------------------------------


def release_group(
    ctx: ServiceContext,
    actor: Actor,
    cruise_call_id: int,
    deck: str | None = None,
    tour_group: str | None = None,
    counter: str = GANGWAY,
) -> dict[str, Any]:
    """Let a group of a pre-cleared cruise call ashore (a deck, a tour group, both, or neither:
    the whole ship): each cleared passenger of it crosses now at `counter`, queued since the ship
    arrived; those still referred are the exceptions, listed with what stops them and kept
    aboard. A passenger released before is not released twice."""
    require(actor, Action.CRUISE_RELEASE)
    deck, tour_group = _group_part(deck), _group_part(tour_group)
    counter = counter.strip().upper()
    if not COUNTER_NAME.match(counter):
        raise ValidationFailed.one("counter", counter, "a gangway or counter of up to 20 letters")
    with ctx.uow(actor) as uow:
        call = _cruise_call(uow, cruise_call_id)
        group = _group(uow, call, deck, tour_group)
        already = _already_passed(uow, group)
        released = [p for p in group if p.status not in STOPPING and p.id not in already]
        exceptions = [p for p in group if p.status in STOPPING]
        _cross(uow, call, released, counter)
        _note_release(uow, call, deck, tour_group, released, exceptions)
        found = referrals_of(uow, exceptions)
        answer = {
            "cruise_call_id": call.id,
            "group": {"deck": deck, "tour_group": tour_group},
            "persons": len(group),
            "released": len(released),
            "already_released": len([p for p in group if p.id in already]),
            "exceptions": [
                {**person_view(p), "referrals": found.get(p.id, [])} for p in exceptions
            ],
            "released_at": call.released_at.isoformat() if call.released_at else None,
        }
        uow.session.flush()
        lists = select(PersonListRow.id).where(PersonListRow.cruise_call_id == call.id)
        answer["figures"] = measured(_times(uow, Crossing.list_id.in_(lists)))
        uow.commit()
    return answer


def _group_part(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _cruise_call(uow: UnitOfWork, cruise_call_id: int) -> CruiseCall:
    # Locked: two officers releasing groups at once must not both let the same person ashore.
    call = (
        uow.session.get(CruiseCall, cruise_call_id, with_for_update=True)
        if valid_id(cruise_call_id)
        else None
    )
    if call is None:
        raise NotFound(f"cruise call {cruise_call_id} not found")
    return call


def _group(
    uow: UnitOfWork, call: CruiseCall, deck: str | None, tour_group: str | None
) -> list[ListedPersonRow]:
    """The group's passengers on the call's lists in force; refused when there is no list (the
    call is not pre-cleared) or when the deck or tour group names no one."""
    aboard = manifest.aboard(uow, PersonListRow.cruise_call_id == call.id, "passengers", "arriving")
    if not aboard:
        raise InvalidTransition(
            f"cruise call {call.id} has no passenger list: it cannot be pre-cleared or released"
        )
    group = [
        person
        for person in aboard
        if person.role == "passenger"
        and (deck is None or person.deck == deck)
        and (tour_group is None or person.tour_group == tour_group)
    ]
    if not group:
        field, value = ("deck", deck) if deck is not None else ("tour_group", tour_group)
        raise ValidationFailed.one(field, value, "a deck or tour group of the call's passengers")
    return group


def _already_passed(uow: UnitOfWork, group: Sequence[ListedPersonRow]) -> set[int]:
    ids = [p.id for p in group]
    query = select(Crossing.person_id).where(
        Crossing.person_id.in_(ids), Crossing.outcome == "passed"
    )
    return {person_id for person_id in uow.session.scalars(query) if person_id is not None}


def _arrival(uow: UnitOfWork, call: CruiseCall) -> datetime:
    """When the passengers began to wait: the ship's all fast (or arrival) when its port call
    says, else its ETA; never after now."""
    port_call = uow.session.get(PortCall, call.port_call_id) if call.port_call_id else None
    known = port_call and (port_call.all_fast or port_call.ata)
    return min(known or call.eta, uow.now)


def _cross(
    uow: UnitOfWork, call: CruiseCall, released: Sequence[ListedPersonRow], counter: str
) -> None:
    if not released:
        return
    queued = _arrival(uow, call)
    rows = [
        new_row(
            Crossing,
            person_id=person.id,
            list_id=person.list_id,
            port=call.port,
            counter=counter,
            direction="arriving",
            queued_at=queued,
            crossed_at=uow.now,
            outcome="passed",
            recorded_by=uow.actor.user_id or None,
        )
        for person in released
    ]
    uow.session.flush()  # the ORM's pending changes first: the plain rows go on its connection
    insert_plain(uow, Crossing, rows)
    rollups.crossings_recorded(uow, rows)


def _note_release(
    uow: UnitOfWork,
    call: CruiseCall,
    deck: str | None,
    tour_group: str | None,
    released: Sequence[ListedPersonRow],
    exceptions: Sequence[ListedPersonRow],
) -> None:
    if call.released_at is None and released:
        call.released_at = uow.now
        uow.audit("cruise_call.released", "cruise_call", call.id, {"released_at": None},
                  {"released_at": uow.now.isoformat()})  # fmt: skip
    uow.audit(
        "cruise_call.group_released",
        "cruise_call",
        call.id,
        None,
        {
            "deck": deck,
            "tour_group": tour_group,
            "persons": [p.id for p in released],
            "exceptions": [p.id for p in exceptions],
        },
    )
