"""Person lists received from airlines, cruise lines and agents, screened person by person.

One use case receives what any reader made of an input (PAXLST, spreadsheet, JSON: a
kouan.domain.person_list.ListResult): a refused input keeps nothing but its refusal; an accepted
list is put on its flight or cruise call, its persons stored, each screened against the active
watch list, and the review engine opens the agencies' reviews with a target per referred person
(kouan.rules.person_list). Persons are targets of their list, not subjects of their own.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from kouan.adapters.db.passenger_tables import ListedPersonRow, PassengerFigure, PersonListRow
from kouan.adapters.db.tables import Review, ReviewTarget
from kouan.domain.agency import Phase, ReviewStatus
from kouan.domain.errors import NotFound
from kouan.domain.health import EpidemicAlert, HealthDeclaration
from kouan.domain.identifiers import valid_id
from kouan.domain.person_list import (
    Direction,
    ListedPerson,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
)
from kouan.domain.reasons import Reason
from kouan.rules.person_list import ListFacts, WatchHit, seq_of, target
from kouan.rules.registry import PERSON_LIST
from kouan.services.passengers import epidemics, journeys, manifest, watchlist
from kouan.services.passengers.journeys import Journey
from kouan.services.platform.messagebus import TargetDecided
from kouan.services.platform.permissions import (
    Action,
    Actor,
    allowed,
    person_list_scope,
    require,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row
from kouan.services.review import reviews
from kouan.services.review.rulesets import active_rule_sets
from kouan.services.review.subjects import SubjectKind
from kouan.services.stats import rollups

SUBJECT = PERSON_LIST

# A person's status as their targets are decided: each decision's review status, by agency.
_PERSON_STATUS = {
    ReviewStatus.APPROVED: "cleared",
    ReviewStatus.REJECTED: "refused",
    ReviewStatus.HOLD: "held",
    ReviewStatus.INSPECT: "inspection",
}


def receive(
    ctx: ServiceContext,
    actor: Actor,
    result: ListResult,
    received: bytes,
    answer: str = "",
    health: Mapping[int, HealthDeclaration] | None = None,
) -> dict[str, Any]:
    """Keep what a reader made of `received` (the input as sent): its refusal (with `answer`,
    the CONTRL sent back), or each list screened. The CLI's and API's answer."""
    require(actor, Action.PERSON_LIST_FILE)
    result = checked(result)
    sha256 = hashlib.sha256(received).hexdigest()
    with ctx.uow(actor) as uow:
        if result.status == "rejected":
            refusal = _refusal(uow, result, sha256, answer)
            uow.commit()
            return result.as_dict(list_id=str(refusal))
        stored = [
            _store(uow, ctx, person_list, sha256, health or {}) for person_list in result.lists
        ]
        uow.commit()
    out = result.as_dict(list_id=str(stored[0]["id"]))
    out["lists"] = [
        {**summary, **stored_list}
        for summary, stored_list in zip(out["lists"], stored, strict=True)
    ]
    return out


def checked(result: ListResult) -> ListResult:
    """The result refused when a list of it cannot be put on a journey (see journeys.problems)."""
    errors = [issue for person_list in result.lists for issue in journeys.problems(person_list)]
    if not errors:
        return result
    return ListResult(errors=[*result.errors, *errors], messages=result.messages,
                      interchange=result.interchange)  # fmt: skip


def _refusal(uow: UnitOfWork, result: ListResult, sha256: str, answer: str) -> int:
    row = PersonListRow(
        owner_org_id=uow.actor.org_id,
        received_by=uow.actor.user_id or None,
        received_at=uow.now,
        kind="passengers",
        function="original",
        direction="arriving",
        source="",
        status="rejected",
        persons=0,
        referred=0,
        warnings=[],
        errors=[e.as_dict() for e in result.errors],
        answer=answer,
        input_sha256=sha256,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        "person_list.rejected",
        SUBJECT,
        row.id,
        None,
        {"errors": len(result.errors), "sha256": sha256},
    )
    return row.id


def _store(
    uow: UnitOfWork,
    ctx: ServiceContext,
    person_list: PersonList,
    sha256: str,
    health: Mapping[int, HealthDeclaration],
) -> dict[str, Any]:
    journey = journeys.attach(uow, person_list)
    version_id, index = watchlist.active_index(uow)
    row = _list_row(uow, person_list, journey, sha256, version_id)
    hits = watchlist.screen(index, enumerate(person_list.persons, start=1))
    facts = ListFacts(
        persons=person_list.persons,
        direction=journey.direction,
        day=journey.day,
        hits=watchlist.watch_hits(hits),
        health=health,
        route=journey.route,
        alerts=_active_alerts(uow, journey.day),
    )
    phase = Phase.ENTRY if journey.direction is Direction.ARRIVING else Phase.DEPARTURE
    rule_sets = active_rule_sets(uow.connection(), ctx.cache)
    opened = reviews.open_rows(uow, SUBJECT, phase, facts, rule_sets)
    referred = _targets(opened)
    _insert_persons(uow, row, person_list.persons, hits, health, referred)
    row.referred = len(referred)
    row.status = "screened" if referred else "settled"
    row.labels = {target(seq): p.full_name for seq, p in enumerate(person_list.persons, 1)}  # type: ignore[attr-defined]
    reviews.store(uow, SUBJECT, [(row, opened)])
    _count(uow, journey)
    uow.audit(
        "person_list.received",
        SUBJECT,
        row.id,
        None,
        {
            "persons": row.persons,
            "referred": row.referred,
            "journey": journey.label,
            "sha256": sha256,
        },
    )
    return {
        "id": row.id,
        "journey": journey.label,
        "flight_id": row.flight_id,
        "cruise_call_id": row.cruise_call_id,
        "referred": row.referred,
        "status": row.status,
    }


def _list_row(
    uow: UnitOfWork, person_list: PersonList, journey: Journey, sha256: str, version_id: int | None
) -> PersonListRow:
    row = PersonListRow(
        owner_org_id=uow.actor.org_id,
        received_by=uow.actor.user_id or None,
        received_at=uow.now,
        kind=person_list.kind.value,
        function=person_list.function.value,
        direction=journey.direction.value,
        source=person_list.source[:20],
        reference=person_list.reference[:35],
        flight_id=journey.id if journey.kind == "flight" else None,
        cruise_call_id=journey.id if journey.kind == "cruise" else None,
        status="received",
        persons=len(person_list.persons),
        referred=0,
        warnings=[w.as_dict() for w in person_list.warnings],
        errors=[],
        watchlist_version_id=version_id,
        input_sha256=sha256,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def _active_alerts(uow: UnitOfWork, day: date) -> list[EpidemicAlert]:
    return epidemics.alerts_on(uow, day)


def _targets(opened: Iterable[dict[str, Any]]) -> set[int]:
    """The places in the list of the persons the rules referred."""
    return {seq_of(hit["target"]) for review in opened for hit in review["hits"] if hit["target"]}


def _insert_persons(
    uow: UnitOfWork,
    row: PersonListRow,
    persons: Sequence[ListedPerson],
    hits: Mapping[int, Sequence[Any]],
    health: Mapping[int, HealthDeclaration],
    referred: set[int],
) -> None:
    rows = [
        new_row(
            ListedPersonRow,
            **_person_fields(person),
            list_id=row.id,
            seq=seq,
            health=_health_fields(health.get(seq)),
            status="referred" if seq in referred else "cleared",
            hits=[h.as_dict() for h in hits.get(seq, ())],
        )
        for seq, person in enumerate(persons, start=1)
    ]
    if rows:
        insert_plain(uow, ListedPersonRow, rows)


def _person_fields(person: ListedPerson) -> dict[str, Any]:
    document = person.travel_document()
    return {
        "role": person.role.value,
        "family_name": person.family_name[:200],
        "given_names": person.given_names[:200],
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "nationality": person.nationality,
        "document_number": (document.number or "")[:35] or None if document else None,
        "documents": [_document(d) for d in person.documents],
        "seat": (person.seat or None) and person.seat[:8],
        "booking_reference": (person.booking_reference or None) and person.booking_reference[:35],
        "party": (person.party or None) and person.party[:35],
        "deck": (person.deck or None) and person.deck[:10],
        "cabin": (person.cabin or None) and person.cabin[:10],
        "dining_group": (person.dining_group or None) and person.dining_group[:20],
        "tour_group": (person.tour_group or None) and person.tour_group[:35],
        "details": {
            "qualifier": person.qualifier,
            "rank": person.rank,
            "bag_tags": person.bag_tags,
            "embarkation": person.embarkation,
            "disembarkation": person.disembarkation,
            "place_of_birth": person.place_of_birth,
            "residence": person.residence,
            "transit": person.transit,
            "source": person.source,
        },
        "warnings": [w.as_dict() for w in person.warnings],
    }


def _document(document: TravelDocument) -> dict[str, Any]:
    return {
        "type": document.type,
        "number": document.number,
        "issuing_state": document.issuing_state,
        "expiry": document.expiry.isoformat() if document.expiry else None,
    }


def _health_fields(declaration: HealthDeclaration | None) -> dict[str, Any] | None:
    if declaration is None:
        return None
    return {
        "temperature": declaration.temperature,
        "symptoms": list(declaration.symptoms),
        "ill_contact": declaration.ill_contact,
        "stays": [
            {
                "place": s.place,
                "first_day": s.first_day.isoformat(),
                "last_day": s.until.isoformat(),
            }
            for s in declaration.stays
        ],
    }


# --- the figures that outlive the persons -----------------------------------------------------


def _count(uow: UnitOfWork, journey: Journey) -> None:
    """Recount the journey's persons into the figures as its lists now stand (a list sent again
    replaces the one before; added, changed and deleted persons count as such)."""
    purged = uow.session.scalar(
        select(PersonListRow.id).where(_of_journey(journey), PersonListRow.purged_at.is_not(None))
    )
    if purged is not None:
        return  # its persons are gone: the figures counted before the purge stand
    counted = Counter(
        (row.role, row.nationality or "")
        for row in manifest.aboard_slim(uow, _of_journey(journey), journey.direction.value)
    )
    key = {
        "day": journey.day,
        "port": journey.port,
        "direction": journey.direction.value,
        "journey": journey.kind,
        "journey_id": journey.id,
    }
    uow.session.execute(delete(PassengerFigure).filter_by(**key))
    for (role, nationality), persons in sorted(counted.items()):
        uow.session.add(
            PassengerFigure(
                **key,
                route=journey.route_code[:12],
                role=role,
                nationality=nationality,
                persons=persons,
            )
        )
    rollups.journey_counted(uow, journey.kind, journey.id, journey.port, journey.day)


def _of_journey(journey: Journey) -> Any:
    if journey.kind == "flight":
        return PersonListRow.flight_id == journey.id
    return PersonListRow.cruise_call_id == journey.id


# --- the subject kind -------------------------------------------------------------------------


def find_list(uow: UnitOfWork, list_id: int, for_update: bool = False) -> PersonListRow:
    """The list in the actor's scope; NotFound outside it (as if it did not exist)."""
    query = select(PersonListRow).where(PersonListRow.id == list_id, person_list_scope(uow.actor))
    if for_update:
        query = query.with_for_update()
    row = uow.session.scalars(query).first() if valid_id(list_id) else None
    if row is None:
        raise NotFound(f"person list {list_id} not found")
    return row


def settle(uow: UnitOfWork, row: PersonListRow, found: list[Review]) -> None:
    """A list is settled when every review of it is decided (each referred person cleared,
    refused or sent on)."""
    if row.status == "settled" or any(ReviewStatus(r.status) in reviews.OPEN_REVIEW for r in found):
        return
    before = {"status": row.status}
    row.status = "settled"
    uow.audit("person_list.settled", SUBJECT, row.id, before, {"status": row.status})


def on_target_decided(uow: UnitOfWork, event: TargetDecided) -> None:
    """A referred person's own status follows each decision on them (wired in bootstrap)."""
    decided = uow.session.get(ReviewTarget, event.target_id)
    review = uow.session.get(Review, event.review_id)
    if decided is None or review is None or review.subject_type != SUBJECT:
        return
    status = _PERSON_STATUS.get(ReviewStatus(decided.status))
    person = uow.session.scalars(
        select(ListedPersonRow).where(
            ListedPersonRow.list_id == review.subject_id,
            ListedPersonRow.seq == seq_of(decided.target),
        )
    ).first()
    if status is None or person is None:
        return
    # A person refused or held by one agency stays so whatever another clears.
    if person.status in {"refused", "held"} and status == "cleared":
        return
    before = {"status": person.status}
    person.status = status
    uow.audit("person.decided", "person", person.id, before, {"status": status})


def _facts_of(uow: UnitOfWork, rows: list[PersonListRow], phase: Phase) -> list[ListFacts]:
    return [_stored_facts(uow, row) for row in rows]


def _stored_facts(uow: UnitOfWork, row: PersonListRow) -> ListFacts:
    """A stored list as its rules saw it (to test a rule set on past lists)."""
    persons = uow.session.scalars(
        select(ListedPersonRow)
        .where(ListedPersonRow.list_id == row.id)
        .order_by(ListedPersonRow.seq)
    ).all()
    listed = [_listed(p) for p in persons]
    hits = {
        p.seq: [WatchHit(h["entry_id"], h["score"], _hit_reason(h)) for h in p.hits]
        for p in persons
        if p.hits
    }
    day = row.received_at.date()
    return ListFacts(listed, Direction(row.direction), day, hits, {}, (), _active_alerts(uow, day))


def _hit_reason(hit: Mapping[str, Any]) -> Reason:
    return Reason.joined([Reason(r["key"], r["params"]) for r in hit.get("reasons", [])])


def _listed(person: ListedPersonRow) -> ListedPerson:
    details = person.details or {}
    return ListedPerson(
        role=Role(person.role),
        qualifier=str(details.get("qualifier") or ""),
        family_name=person.family_name,
        given_names=person.given_names,
        date_of_birth=person.date_of_birth,
        sex=person.sex,  # type: ignore[arg-type]
        nationality=person.nationality,
        documents=[
            TravelDocument(
                d.get("type") or "P",
                d.get("number"),
                d.get("issuing_state"),
                date.fromisoformat(d["expiry"]) if d.get("expiry") else None,
            )
            for d in person.documents
        ],
        seat=person.seat,
        booking_reference=person.booking_reference,
        party=person.party,
        transit=bool(details.get("transit")),
    )


def _label(row: Any, target_name: str) -> str:
    return str(getattr(row, "labels", {}).get(target_name, target_name))


KIND = SubjectKind(
    name=SUBJECT,
    table=PersonListRow,
    phases=(Phase.ENTRY, Phase.DEPARTURE),
    find=find_list,
    settle=settle,
    # Codes and numbers only: the queue shows it in any language as it is.
    summary=lambda row: f"#{row.id} {row.reference} · {row.persons}".replace("  ", " "),
    facts_of=_facts_of,
    inspection_site=lambda row: "ZSQD" if row.flight_id else None,
    targets_decided=True,
    target_label=_label,
)


# --- reading ----------------------------------------------------------------------------------


def get_list(ctx: ServiceContext, actor: Actor, list_id: int) -> dict[str, Any]:
    """A list as its reader may see it: the sender its persons as sent with their warnings; the
    agencies also each person's screening (every such view is audited, by ids alone)."""
    with ctx.uow(actor, write=allowed(actor, Action.PERSON_READ)) as uow:
        row = find_list(uow, list_id)
        view = list_view(row)
        if row.status != "rejected":
            view["persons"] = _persons_view(uow, row, allowed(actor, Action.PERSON_READ))
        if allowed(actor, Action.PERSON_READ):
            uow.audit("person_list.viewed", SUBJECT, row.id, None, {"persons": row.persons})
            uow.commit()
    return view


def list_view(row: PersonListRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "function": row.function,
        "direction": row.direction,
        "source": row.source,
        "reference": row.reference,
        "flight_id": row.flight_id,
        "cruise_call_id": row.cruise_call_id,
        "port_call_id": row.port_call_id,
        "status": row.status,
        "persons_count": row.persons,
        "referred": row.referred,
        "received_at": row.received_at.isoformat(),
        "warnings": row.warnings,
        "errors": row.errors,
    }


def _persons_view(uow: UnitOfWork, row: PersonListRow, screening: bool) -> list[dict[str, Any]]:
    persons = uow.session.scalars(
        select(ListedPersonRow)
        .where(ListedPersonRow.list_id == row.id)
        .order_by(ListedPersonRow.seq)
    ).all()
    return [_person_view(p, screening) for p in persons]


def _person_view(person: ListedPersonRow, screening: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "seq": person.seq,
        "name": f"{person.family_name} {person.given_names}".strip(),
        "role": person.role,
        "nationality": person.nationality,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "documents": person.documents,
        "seat": person.seat,
        "warnings": person.warnings,
    }
    if screening:
        view["id"] = person.id
        view["status"] = person.status
        view["hits"] = person.hits
        view["health"] = person.health
    return view


def screening_result(ctx: ServiceContext, actor: Actor, list_id: int) -> dict[str, Any]:
    """Each person's screening: `kouan screen list LIST_ID --json`."""
    require(actor, Action.PERSON_READ)
    with ctx.uow(actor) as uow:
        row = find_list(uow, list_id)
        persons = uow.session.scalars(
            select(ListedPersonRow)
            .where(ListedPersonRow.list_id == row.id)
            .order_by(ListedPersonRow.seq)
        ).all()
        uow.audit("person_list.viewed", SUBJECT, row.id, None, {"persons": row.persons})
        uow.commit()
    return {
        "list_id": row.id,
        "persons": [
            {
                "seq": p.seq,
                "name": f"{p.family_name} {p.given_names}".strip(),
                "status": "cleared" if p.status == "cleared" else "referred",
                "decision": p.status,
                "hits": [
                    {
                        "watchlist_id": h["entry_id"],
                        "score": h["score"],
                        "reasons": h.get("text", []),
                    }
                    for h in p.hits
                ],
            }
            for p in persons
        ],
    }


def list_lists(
    ctx: ServiceContext, actor: Actor, status: str | None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The lists the actor may see, newest first."""
    with ctx.uow(actor, write=False) as uow:
        query = select(PersonListRow).where(person_list_scope(actor))
        if status is not None:
            query = query.where(PersonListRow.status == status)
        query = query.order_by(PersonListRow.received_at.desc(), PersonListRow.id.desc())
        rows = uow.session.scalars(query.limit(limit).offset(offset)).all()
        return [list_view(row) for row in rows]
