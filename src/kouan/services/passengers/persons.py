"""One person of a passenger or crew list, as the agencies read it: what the list said of them,
their health declaration, their screening and referrals, and the journey they were on (the
flight, cruise call or port call whose lists hold everyone travelling with them).

A person's record is for the agencies alone (Action.PERSON_READ); each reading is audited by ids,
never by what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from kouan.adapters.db.alert_tables import Alert
from kouan.adapters.db.passenger_tables import CruiseCall, Flight, ListedPersonRow, PersonListRow
from kouan.adapters.db.tables import PortCall, Review, ReviewTarget
from kouan.domain.errors import NotFound
from kouan.domain.identifiers import valid_id
from kouan.rules.person_list import target
from kouan.services.platform.alerts import EPIDEMIC_JOINT
from kouan.services.platform.permissions import (
    Action,
    Actor,
    alert_scope,
    person_list_scope,
    require,
    review_scope,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.site import PORT_ZONE

SUBJECT = "person"


@dataclass(frozen=True)
class Journey:
    """What a list's persons travelled on: a flight, a cruise call, a ship's port call, or (a
    list on none of them) the list alone. `lists` selects every list of that journey."""

    kind: str  # flight / cruise / ship / list
    id: int
    transport: str  # "KE845", "SKYSEA GOLDEN ERA SG2611": as an alert's title names it
    at: datetime | None  # UTC: when it reaches or leaves the port
    lists: ColumnElement[bool]

    @property
    def day(self) -> date | None:
        return self.at.astimezone(PORT_ZONE).date() if self.at else None

    def as_dict(self) -> dict[str, Any]:
        at = self.at.isoformat() if self.at else None
        return {"kind": self.kind, "id": self.id, "transport": self.transport, "at": at}


def find_person(
    uow: UnitOfWork, person_id: int, for_update: bool = False
) -> tuple[ListedPersonRow, PersonListRow]:
    """The person and their list, in the actor's scope; NotFound outside it (as if there were no
    such person). `for_update` locks the person's row (a case is confirmed once)."""
    query = (
        select(ListedPersonRow, PersonListRow)
        .join(PersonListRow, PersonListRow.id == ListedPersonRow.list_id)
        .where(ListedPersonRow.id == person_id, person_list_scope(uow.actor))
    )
    if for_update:
        query = query.with_for_update(of=ListedPersonRow)
    found = uow.session.execute(query).first() if valid_id(person_id) else None
    if found is None:
        raise NotFound(f"person {person_id} not found")
    return found[0], found[1]


def journey_of(uow: UnitOfWork, person_list: PersonListRow) -> Journey:
    """The journey of a list: its flight, else its cruise call, else its ship's port call."""
    if person_list.flight_id is not None:
        flight = uow.session.get_one(Flight, person_list.flight_id)
        where = PersonListRow.flight_id == flight.id
        return Journey("flight", flight.id, flight.number, flight.scheduled_at, where)
    if person_list.cruise_call_id is not None:
        cruise = uow.session.get_one(CruiseCall, person_list.cruise_call_id)
        where = PersonListRow.cruise_call_id == cruise.id
        return Journey(
            "cruise", cruise.id, _ship(cruise.ship_name, cruise.voyage), cruise.eta, where
        )
    if person_list.port_call_id is not None:
        call = uow.session.get_one(PortCall, person_list.port_call_id)
        where = PersonListRow.port_call_id == call.id
        return Journey("ship", call.id, _ship(call.ship_name, call.voyage), call.eta, where)
    where = PersonListRow.id == person_list.id
    return Journey("list", person_list.id, person_list.reference, person_list.received_at, where)


def _ship(name: str, voyage: str) -> str:
    """A ship and its voyage; the voyage alone where it already holds the name (a cruise call
    made from a list without a ship's name is named by its voyage)."""
    return voyage if name in voyage else f"{name} {voyage}"


def where_aboard(person: ListedPersonRow, journey_kind: str) -> dict[str, str | None]:
    """Where the person was aboard: the seat; a cruise's deck and cabin; on a flight, a cabin
    crew member's zone (a flight's list gives as `cabin` the class, or the zone crew serve)."""
    flight = journey_kind == "flight"
    return {
        "seat": person.seat,
        "deck": None if flight else person.deck,
        "cabin": None if flight else person.cabin,
        "crew_zone": crew_zone(person) if flight and person.role == "crew" else None,
    }


def crew_zone(person: ListedPersonRow) -> str | None:
    """The cabin zone a flight's crew member serves, when the list says."""
    given = person.cabin or str((person.details or {}).get("zone") or "")
    return given.strip() or None


def full_name(person: ListedPersonRow) -> str:
    return f"{person.family_name} {person.given_names}".strip()


# --- reading ----------------------------------------------------------------------------------


def get_person(ctx: ServiceContext, actor: Actor, person_id: int) -> dict[str, Any]:
    """A person as an agency reads them (the person page); the reading is audited by ids."""
    require(actor, Action.PERSON_READ)
    with ctx.uow(actor) as uow:
        person, person_list = find_person(uow, person_id)
        view = person_view(person, person_list, journey_of(uow, person_list))
        view["referrals"] = _referrals(uow, person)
        view["alert_id"] = _case_alert(uow, person.id)
        uow.audit("person.viewed", SUBJECT, person.id, None, {"list_id": person.list_id})
        uow.commit()
    return view


def person_view(
    person: ListedPersonRow, person_list: PersonListRow, journey: Journey
) -> dict[str, Any]:
    return {
        "id": person.id,
        "list_id": person.list_id,
        "seq": person.seq,
        "name": full_name(person),
        "family_name": person.family_name,
        "given_names": person.given_names,
        "role": person.role,
        "sex": person.sex,
        "nationality": person.nationality,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "document_number": person.document_number,
        "documents": person.documents,
        "seat": person.seat,
        "booking_reference": person.booking_reference,
        "party": person.party,
        "deck": person.deck,
        "cabin": person.cabin,
        "dining_group": person.dining_group,
        "tour_group": person.tour_group,
        "status": person.status,
        "hits": person.hits,
        "health": person.health,
        "warnings": person.warnings,
        "list": {
            "id": person_list.id,
            "kind": person_list.kind,
            "direction": person_list.direction,
            "reference": person_list.reference,
            "received_at": person_list.received_at.isoformat(),
        },
        "journey": journey.as_dict(),
        "aboard": where_aboard(person, journey.kind),
    }


def _referrals(uow: UnitOfWork, person: ListedPersonRow) -> list[dict[str, Any]]:
    """The actor's agency's referrals of the person (the port office's: all), with why."""
    query = (
        select(Review.agency, ReviewTarget)
        .join(ReviewTarget, ReviewTarget.review_id == Review.id)
        .where(
            Review.subject_type == "person_list",
            Review.subject_id == person.list_id,
            ReviewTarget.target == target(person.seq),
            review_scope(uow.actor),
        )
        .order_by(Review.id)
    )
    return [
        {
            "agency": agency,
            "status": row.status,
            "rules_hit": row.rules_hit,
            "reason": row.reason,
            "reason_key": row.reason_key,
            "reason_params": row.reason_params,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        }
        for agency, row in uow.session.execute(query)
    ]


def _case_alert(uow: UnitOfWork, person_id: int) -> int | None:
    """The joint alert raised when the person was confirmed a case, if the actor may see it."""
    query = (
        select(Alert.id)
        .where(
            Alert.kind == EPIDEMIC_JOINT,
            Alert.subject_type == SUBJECT,
            Alert.subject_id == person_id,
            alert_scope(uow.actor),
        )
        .order_by(Alert.id.desc())
        .limit(1)
    )
    return uow.session.scalar(query)
