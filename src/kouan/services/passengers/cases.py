"""A confirmed epidemic case and its joint alert (联防联控).

When CIQ confirms a traveller's case, one unit of work builds the contact list for the
information co-check (信息协查) from the persons stored for the same journey (every list of the
same flight, cruise call or port call, passengers and crew), marks the person a case and raises
ONE joint alert to CIQ, border inspection, customs and the port office, each to acknowledge
within ACK_DUE_MINUTES; `kouan alerts escalate` (or `escalation_loop`) then escalates the late.

The contact list (kouan.domain.contacts) names who and why: seated within N rows (N from the
officer, else KOUAN_CONTACT_ROWS once Settings has it, else 2), the same booking or travelling
party (a cruise's tour group is a travelling party), the cabin crew (every cabin crew member while
no seat map says which zone the case sat in), and on a cruise the same cabin, deck and dining
group. Names and seats are personal data: they travel in the alert's payload, which only its
recipients read; the audit keeps ids, counts and the payload's digest.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from kouan.adapters.db.passenger_tables import ListedPersonRow
from kouan.domain.agency import OrgType
from kouan.domain.contacts import (
    CREW,
    DEFAULT_ROWS,
    PASSENGER,
    Aboard,
    Contact,
    ContactList,
    SeatMap,
    contacts,
)
from kouan.domain.errors import InvalidTransition, ValidationFailed
from kouan.domain.health import EpidemicAlert, reason
from kouan.domain.reasons import Reason
from kouan.services.passengers import epidemics, manifest
from kouan.services.passengers.persons import (
    SUBJECT,
    Journey,
    find_person,
    full_name,
    journey_of,
    where_aboard,
)
from kouan.services.platform import alerts
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

# How long each recipient has to acknowledge a joint alert, unless Settings says
# (KOUAN_CASE_ACK_MINUTES, once the lead adds `case_ack_minutes`).
ACK_DUE_MINUTES = 30
MAX_ROWS = 20  # more rows than this is most of a narrow-body: list the flight instead
MAX_NOTE = 2000
# A confirmed case is the most severe alert the port raises (levels as alerts.LEVELS).
CASE_LEVEL = 4
JOINT = (OrgType.CIQ, OrgType.BORDER, OrgType.CUSTOMS, OrgType.PORT_OFFICE)
CASE_STATUS = "case"
# A cabin crew member whose zone the list does not give: they may have served any seat.
_ANY_ZONE = "?"
# The disease named when no epidemic alert holds for the journey's day.
_UNNAMED_DISEASE = ("infectious disease", "传染病")
log = logging.getLogger("kouan.alerts")


def contact_rows(ctx: ServiceContext) -> int:
    """N, the rows either side of the case whose passengers are contacts."""
    return int(getattr(ctx.settings, "contact_rows", DEFAULT_ROWS))


def ack_minutes(ctx: ServiceContext) -> int:
    return int(getattr(ctx.settings, "case_ack_minutes", ACK_DUE_MINUTES))


# --- confirming a case ------------------------------------------------------------------------


def confirm_case(
    ctx: ServiceContext,
    actor: Actor,
    person_id: int,
    note: str = "",
    rows: int | None = None,
) -> dict[str, Any]:
    """CIQ confirms the person a case: their contact list is built, they are marked a case and
    the joint alert is raised, in one unit of work. The alert as alerts.show answers it."""
    require(actor, Action.CASE_CONFIRM)
    within = _checked_rows(contact_rows(ctx) if rows is None else rows)
    note = _checked_note(note)
    with ctx.uow(actor) as uow:
        alert_id = confirm_in(uow, person_id, note, within, timedelta(minutes=ack_minutes(ctx)))
        uow.commit()
    return alerts.show(ctx, actor, alert_id)


def confirm_in(uow: UnitOfWork, person_id: int, note: str, rows: int, ack_within: timedelta) -> int:
    """The confirmation inside the caller's unit of work; the joint alert's id."""
    person, person_list = find_person(uow, person_id, for_update=True)
    if person.status == CASE_STATUS:
        raise InvalidTransition(f"person {person_id} is already a confirmed case")
    journey = journey_of(uow, person_list)
    aboard = travelling_with(uow, person, journey)
    found = contact_list(person, aboard, journey, rows)
    disease = _disease(uow, journey.day)
    payload = _payload(uow, person, journey, found, aboard, disease, note)
    alert_id = alerts.raise_in(
        uow,
        kind=alerts.EPIDEMIC_JOINT,
        level=CASE_LEVEL,
        subject_type=SUBJECT,
        subject_id=person.id,
        title=reason(
            "alert.epidemic_case",
            disease=disease.disease,
            disease_zh=disease.disease_zh,
            # The title is kept in the audit: it names the person by id, never by name.
            case=f"#{person.id}",
            transport=journey.transport,
        ),
        body=reason("alert.epidemic_contacts", contacts=len(found.contacts)),
        payload=payload,
        to_types=JOINT,
        ack_due_at=uow.now + ack_within,
    )
    # CIQ confirmed it: its own acknowledgement is the confirmation, not one more to await.
    alerts.acknowledge_in(uow, alert_id)
    before = {"status": person.status}
    person.status = CASE_STATUS
    after = {
        "status": person.status,
        "alert_id": alert_id,
        "rows": rows,
        "contacts": len(found.contacts),
        "aboard": len(aboard) + 1,
    }
    uow.audit("person.case_confirmed", SUBJECT, person.id, before, after)
    return alert_id


def _checked_rows(rows: int) -> int:
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
        raise ValidationFailed.one("rows", rows, f"a whole number of rows from 0 to {MAX_ROWS}")
    return rows


def _checked_note(note: str) -> str:
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        shown = note[:40] + "..." if isinstance(note, str) else note
        raise ValidationFailed.one("note", shown, f"text of at most {MAX_NOTE} characters")
    return note.strip()


# --- who travelled with the case --------------------------------------------------------------


def travelling_with(
    uow: UnitOfWork, case: ListedPersonRow, journey: Journey
) -> list[ListedPersonRow]:
    """Everyone else on the journey as its lists now stand (kouan.services.passengers.manifest):
    the case is left out, however often listed."""
    case_key = manifest.identity(case)
    return [
        row for row in manifest.aboard(uow, journey.lists) if manifest.identity(row) != case_key
    ]


def traveller(row: ListedPersonRow, journey_kind: str) -> Aboard:
    """A stored person as the contact list reads them (where aboard: persons.where_aboard)."""
    crew = row.role == "crew"
    where = where_aboard(row, journey_kind)
    zone = (where["crew_zone"] or _ANY_ZONE) if crew and journey_kind == "flight" else None
    return Aboard(
        id=row.id,
        name=full_name(row),
        role=CREW if crew else PASSENGER,
        seat=row.seat,
        booking=row.booking_reference,
        party=row.party,
        deck=where["deck"],
        cabin=where["cabin"],
        dining_group=None if journey_kind == "flight" else row.dining_group,
        crew_zone=zone,
    )


def contact_list(
    case: ListedPersonRow,
    aboard: Sequence[ListedPersonRow],
    journey: Journey,
    rows: int,
    seat_map: SeatMap | None = None,
) -> ContactList:
    """The case's contacts among those aboard, tour-group mates included."""
    case_traveller = traveller(case, journey.kind)
    if case_traveller.crew_zone == _ANY_ZONE:
        # The case's own zone unknown is no zone: it must not match others' unknown zones.
        case_traveller = dataclasses.replace(case_traveller, crew_zone=None)
    travellers = [traveller(row, journey.kind) for row in aboard]
    found = contacts(case_traveller, travellers, rows, seat_map or seat_map_of(journey))
    return _with_tour_group(found, case, aboard, travellers)


def seat_map_of(journey: Journey) -> SeatMap | None:
    """The aircraft's seat map. Flights do not record their aircraft type yet, so none: rows
    are then counted by their numbers (see kouan.domain.contacts)."""
    return None


def _with_tour_group(
    found: ContactList,
    case: ListedPersonRow,
    aboard: Sequence[ListedPersonRow],
    travellers: Sequence[Aboard],
) -> ContactList:
    """A tour group (旅行团) travels, eats and goes ashore together: its members are the case's
    travelling party as much as a family is (the domain reads one party per person)."""
    group = (case.tour_group or "").strip().upper()
    if not group:
        return found
    mates = {row.id for row in aboard if (row.tour_group or "").strip().upper() == group}
    why = reason("contact.party", party=group)
    listed = {contact.person.id: contact for contact in found.contacts}
    merged: list[Contact] = []
    for person in travellers:
        contact = listed.get(person.id)
        if person.id in mates:
            contact = _also(contact, person, why)
        if contact is not None:
            merged.append(contact)
    return dataclasses.replace(found, contacts=tuple(merged))


def _also(contact: Contact | None, person: Aboard, why: Reason) -> Contact:
    if contact is None:
        return Contact(person, (why,))
    if why in contact.reasons:
        return contact
    return dataclasses.replace(contact, reasons=(*contact.reasons, why))


# --- the alert's payload ----------------------------------------------------------------------


def _disease(uow: UnitOfWork, day: date | None) -> EpidemicAlert | _Unnamed:
    """The disease of the most severe epidemic alert holding on the journey's day."""
    held = [a for a in epidemics.alerts_on(uow, day) if a.active_on(day)] if day else []
    return max(held, key=lambda a: a.level) if held else _Unnamed()


@dataclasses.dataclass(frozen=True)
class _Unnamed:
    disease: str = _UNNAMED_DISEASE[0]
    disease_zh: str = _UNNAMED_DISEASE[1]


def _payload(
    uow: UnitOfWork,
    case: ListedPersonRow,
    journey: Journey,
    found: ContactList,
    aboard: Iterable[ListedPersonRow],
    disease: EpidemicAlert | _Unnamed,
    note: str,
) -> dict[str, Any]:
    """The contact list as the recipients need it for the co-check: who, where aboard, why, and
    what identifies them (nationality, birth, document)."""
    rows = {row.id: row for row in aboard}
    listed = found.as_dict()

    def entries(part: str) -> list[dict[str, Any]]:
        return [{**e, **_identifying(rows[e["id"]], journey.kind)} for e in listed[part]]

    return {
        "case": {
            **listed["case"],
            **_identifying(case, journey.kind),
            "status_before": case.status,
        },
        "journey": journey.as_dict(),
        "disease": {"name": disease.disease, "name_zh": disease.disease_zh},
        "rows": found.rows,
        "seat_map": seat_map_of(journey) is not None,
        "aboard": len(rows) + 1,
        "contacts": entries("contacts"),
        "unplaced": entries("unplaced"),
        "note": note,
        "confirmed_by": uow.actor.username,
        "confirmed_at": uow.now.isoformat(),
    }


def _identifying(row: ListedPersonRow, journey_kind: str) -> dict[str, Any]:
    """What identifies a person for the co-check, and where they were aboard."""
    return {
        "list_id": row.list_id,
        "seq": row.seq,
        "nationality": row.nationality,
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "document_number": row.document_number,
        "booking": row.booking_reference,
        **where_aboard(row, journey_kind),
    }


# --- escalation -------------------------------------------------------------------------------


def escalate(ctx: ServiceContext) -> int:
    """One round: every alert whose acknowledgement is overdue escalates to the port office
    (once); how many alerts escalated."""
    return alerts.escalate_overdue(ctx)


def escalation_loop(ctx: ServiceContext, every: float, stop: threading.Event) -> None:
    """Escalate every `every` seconds until `stop` is set. A failed round is logged and the next
    tries again: the loop outlives a database restart."""
    while not stop.is_set():
        try:
            escalated = escalate(ctx)
            if escalated:
                log.info("escalated %s alert(s) with overdue acknowledgements", escalated)
        except Exception:
            log.exception("escalating overdue alerts failed; trying again in %s s", every)
        stop.wait(every)
