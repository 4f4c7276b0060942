"""Inspections of any subject (declared goods, a container, a bag, a person sent to quarantine):
booked into a site's daily capacity when a review orders one, their results recorded by the
officer, and the review decided by the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kouan.adapters.db.tables import Inspection, InspectionSlot, Review, ReviewTarget
from kouan.domain.agency import ReviewStatus
from kouan.domain.declaration import InspectionKind, InspectionStatus
from kouan.domain.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import Reason
from kouan.rules.base import port_date
from kouan.services.platform.calendar import check_day
from kouan.services.platform.messagebus import (
    OrderedInspection,
    ReviewDecided,
    ReviewsOpened,
    TargetDecided,
)
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain
from kouan.services.review.reviews import apply_decision, apply_target_decision
from kouan.services.review.subjects import SubjectKind, kind_of, lock


def today(uow: UnitOfWork) -> date:
    """The calendar day at the port (the rules' default time zone)."""
    return port_date(uow.now, {})


@cache
def _ensure_slot(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: two bookings creating one day's slot both succeed."""
    statement = (sqlite_insert if dialect == "sqlite" else pg_insert)(InspectionSlot)
    return statement.on_conflict_do_nothing(index_elements=["site", "day"])


def _slot(uow: UnitOfWork, site: str, day: date, capacity: int) -> InspectionSlot:
    conn = uow.session.connection()
    conn.execute(
        _ensure_slot(conn.dialect.name),
        {"site": site, "day": day, "capacity": capacity, "booked": 0},
    )
    slot = uow.session.scalar(
        select(InspectionSlot)
        .where(InspectionSlot.site == site, InspectionSlot.day == day)
        .with_for_update()
    )
    assert slot is not None
    return slot


_SLOTS = (
    select(InspectionSlot.day, InspectionSlot.capacity, InspectionSlot.booked)
    .where(
        InspectionSlot.site == bindparam("site"),
        InspectionSlot.day.between(bindparam("first"), bindparam("last")),
    )
    .with_for_update()
)
_SET_BOOKED = (
    update(InspectionSlot)
    .where(InspectionSlot.site == bindparam("b_site"), InspectionSlot.day == bindparam("b_day"))
    .values(booked=bindparam("b_booked"))
)


@dataclass(frozen=True)
class Booking:
    """An inspection a review ordered, to be booked at the site its subject's kind names."""

    subject_type: str
    subject_id: int
    site: str
    review_id: int
    agency: str
    target: str | None = None


def on_reviews_opened(uow: UnitOfWork, event: ReviewsOpened) -> None:
    """Book the inspections the rules ordered as reviews opened, a batch's together (its
    subjects read in one query a kind)."""
    by_kind: dict[str, list[OrderedInspection]] = {}
    for ordered in event.inspections_ordered:
        by_kind.setdefault(ordered.subject_type, []).append(ordered)
    wanted = []
    for name, orders in by_kind.items():
        kind = kind_of(uow, name)
        subjects = _subjects(uow, kind, {o.subject_id for o in orders})
        for o in orders:
            site = kind.inspection_site(subjects[o.subject_id])
            if site is not None:
                wanted.append(Booking(name, o.subject_id, site, o.review_id, o.agency))
    if wanted:
        book_many(uow, wanted)


def _subjects(uow: UnitOfWork, kind: SubjectKind, ids: set[int]) -> dict[int, Any]:
    id_column = kind.table.__table__.c.id
    query = select(kind.table, id_column).where(id_column.in_(sorted(ids)))
    return {row_id: row for row, row_id in uow.session.execute(query)}


def on_review_decided(uow: UnitOfWork, event: ReviewDecided) -> None:
    """A decision without the inspection frees its booking; an inspection ordered by an officer
    is booked (unless the subject no longer needs one: goods refused, seized or gone)."""
    review = uow.session.get(Review, event.review_id)
    assert review is not None
    _follow(uow, review, review.status, None)


def on_target_decided(uow: UnitOfWork, event: TargetDecided) -> None:
    """A target sent to inspection (a person to quarantine) is booked at its subject's site; a
    target decided otherwise frees its booking."""
    review = uow.session.get(Review, event.review_id)
    target = uow.session.get(ReviewTarget, event.target_id)
    assert review is not None and target is not None
    _follow(uow, review, target.status, target.target)


def _follow(uow: UnitOfWork, review: Review, status: str, target: str | None) -> None:
    """Book the inspection a decision ordered at the subject's site, or free the booking of one
    decided otherwise (the whole review's, or the target's)."""
    if status != ReviewStatus.INSPECT:
        cancel_open(uow, review, target)
        return
    kind = kind_of(uow, review.subject_type)
    site = kind.inspection_site(uow.session.get(kind.table, review.subject_id))
    if site is not None and not has_open(uow, review, target):
        booking = Booking(kind.name, review.subject_id, site, review.id, review.agency, target)
        book_many(uow, [booking])


def book_many(uow: UnitOfWork, wanted: list[Booking]) -> list[dict[str, Any]]:
    """Book in order, each on the earliest day with room at its site from today (port time),
    in a few statements a site rather than a few a booking; the booked rows with their ids.
    Conflict, and nothing booked, when a site has no room left in the horizon."""
    sites: dict[str, list[int]] = {}
    for n, booking in enumerate(wanted):
        sites.setdefault(booking.site, []).append(n)
    days: list[date | None] = [None] * len(wanted)
    for site, indexes in sites.items():
        for n, day in zip(indexes, _site_days(uow, site, len(indexes)), strict=False):
            days[n] = day
    if None in days:
        site = wanted[days.index(None)].site
        raise Conflict(
            f"no inspection capacity at {site} in the next "
            f"{uow.settings.inspection_horizon_days} days; raise a day's capacity"
        )
    booked = [
        {
            "subject_type": booking.subject_type,
            "subject_id": booking.subject_id,
            "target": booking.target,
            "review_id": booking.review_id,
            "agency": booking.agency,
            "kind": InspectionKind.XRAY.value,
            "site": booking.site,
            "day": day,
            "status": InspectionStatus.BOOKED.value,
            "finding": "",
            "booked_at": uow.now,
            "result_at": None,
            "officer_id": None,
            "version": 1,
        }
        for booking, day in zip(wanted, days, strict=True)
    ]
    insert_plain(uow, Inspection, booked)
    for values in booked:
        uow.audit(
            "inspection.booked",
            "inspection",
            values["id"],
            None,
            inspection_view(Inspection(**values)),
        )
    return booked


def _site_days(uow: UnitOfWork, site: str, count: int) -> list[date]:
    """The days `count` bookings at the site take, in order (fewer when the horizon fills up).
    The slots are created as booking one by one creates them, locked, and their counts moved."""
    settings = uow.settings
    first = today(uow)
    horizon = [first + timedelta(days=n) for n in range(settings.inspection_horizon_days)]
    if not horizon:
        return []
    conn = uow.session.connection()
    default = (settings.inspection_daily_capacity, 0)
    while True:
        found = conn.execute(_SLOTS, {"site": site, "first": first, "last": horizon[-1]})
        slots = {day: (capacity, booked) for day, capacity, booked in found}
        days, booked_after, last_seen = _fill(horizon, slots, default, count)
        missing = [day for day in horizon[: last_seen + 1] if day not in slots]
        if missing:
            conn.execute(
                _ensure_slot(conn.dialect.name),
                [{"site": site, "day": d, "capacity": default[0], "booked": 0} for d in missing],
            )
            # Another writer may have created one of them meanwhile: count again if so.
            again = conn.execute(_SLOTS, {"site": site, "first": missing[0], "last": missing[-1]})
            if any((c, b) != default for d, c, b in again if d in missing):
                continue
        if booked_after:
            conn.execute(
                _SET_BOOKED,
                [{"b_site": site, "b_day": d, "b_booked": n} for d, n in booked_after.items()],
            )
        return days


def _fill(
    horizon: list[date],
    slots: dict[date, tuple[int, int]],
    default: tuple[int, int],
    count: int,
) -> tuple[list[date], dict[date, int], int]:
    """Book `count` one after the other, each on the earliest day with room: their days, the
    booked counts of the days booked on, and the index of the last day looked at."""
    days: list[date] = []
    booked_after: dict[date, int] = {}
    at = 0
    while len(days) < count and at < len(horizon):
        day = horizon[at]
        capacity, booked = slots.get(day, default)
        booked = booked_after.get(day, booked)
        if booked < capacity:
            booked_after[day] = booked + 1
            days.append(day)
        else:
            at += 1
    return days, booked_after, min(at, len(horizon) - 1)


def cancel_open(uow: UnitOfWork, review: Review, target: str | None = None) -> None:
    """The officer decided without the inspection: free its place in the day's capacity (only
    the inspection of `target` when one is named)."""
    query = select(Inspection).where(
        Inspection.review_id == review.id, Inspection.status == InspectionStatus.BOOKED
    )
    if target is not None:
        query = query.where(Inspection.target == target)
    booked = uow.session.scalars(query).all()
    for inspection in booked:
        before = inspection_view(inspection)
        inspection.status = InspectionStatus.CANCELLED.value
        slot = _slot(uow, inspection.site, inspection.day, 0)
        slot.booked = max(0, slot.booked - 1)
        uow.audit(
            "inspection.cancelled", "inspection", inspection.id, before, inspection_view(inspection)
        )


def has_open(uow: UnitOfWork, review: Review, target: str | None = None) -> bool:
    query = select(Inspection.id).where(
        Inspection.review_id == review.id,
        Inspection.status == InspectionStatus.BOOKED,
        Inspection.target.is_(None) if target is None else Inspection.target == target,
    )
    return uow.session.scalar(query.limit(1)) is not None


def inspection_view(inspection: Inspection) -> dict[str, Any]:
    declaration = inspection.subject_id if inspection.subject_type == "declaration" else None
    return {
        "id": inspection.id,
        "subject_type": inspection.subject_type,
        "subject_id": inspection.subject_id,
        "target": inspection.target,
        "declaration_id": declaration,
        "review_id": inspection.review_id,
        "agency": inspection.agency,
        "kind": inspection.kind,
        "site": inspection.site,
        "day": inspection.day.isoformat(),
        "status": inspection.status,
        "finding": inspection.finding,
        "booked_at": inspection.booked_at.isoformat(),
        "result_at": inspection.result_at.isoformat() if inspection.result_at else None,
    }


def record_result(
    ctx: ServiceContext,
    actor: Actor,
    inspection_id: int,
    passed: bool,
    finding: str,
    kind: InspectionKind | None = None,
) -> dict[str, Any]:
    """The officer records what the inspection found. A pass approves the review that ordered it;
    a failure holds it with the finding, for the officer to reject, seize or release."""
    require(actor, Action.INSPECTION_RECORD)
    finding = finding.strip()
    if not passed and not finding:
        raise ValidationFailed.one(
            "finding", finding, "what the inspection found (required on fail)"
        )
    with ctx.uow(actor) as uow:
        inspection = _find(uow, inspection_id)
        lock(uow, kind_of(uow, inspection.subject_type), inspection.subject_id)
        uow.session.refresh(inspection)
        if inspection.status != InspectionStatus.BOOKED:
            raise Conflict(f"inspection {inspection_id} is already {inspection.status}")
        before = inspection_view(inspection)
        inspection.status = (InspectionStatus.PASSED if passed else InspectionStatus.FAILED).value
        inspection.finding = finding
        inspection.kind = (kind or InspectionKind(inspection.kind)).value
        inspection.result_at, inspection.officer_id = uow.now, actor.user_id
        uow.audit(
            "inspection.result", "inspection", inspection.id, before, inspection_view(inspection)
        )
        _decide_review(uow, actor, inspection, passed, finding)
        view = inspection_view(inspection)
        uow.commit()
    return view


def _decide_review(
    uow: UnitOfWork, actor: Actor, inspection: Inspection, passed: bool, finding: str
) -> None:
    review = uow.session.get(Review, inspection.review_id)
    assert review is not None
    target = _target(uow, review, inspection.target)
    decided = target if target is not None else review
    if ReviewStatus(decided.status) is not ReviewStatus.INSPECT:
        return  # decided meanwhile by an officer: the result is recorded, the decision stands
    if passed:
        why = (
            Reason("inspection.passed_finding", {"finding": finding})
            if finding
            else Reason("inspection.passed")
        )
    else:
        why = Reason("inspection.failed", {"finding": finding})
    status = ReviewStatus.APPROVED if passed else ReviewStatus.HOLD
    if target is not None:
        apply_target_decision(uow, review, target, status, why, actor.user_id)
    else:
        apply_decision(uow, review, status, why, actor.user_id)


def _target(uow: UnitOfWork, review: Review, target: str | None) -> ReviewTarget | None:
    """The review's target an inspection is of (None: the inspection is of the whole)."""
    if target is None:
        return None
    return uow.session.scalar(
        select(ReviewTarget).where(
            ReviewTarget.review_id == review.id, ReviewTarget.target == target
        )
    )


def _find(uow: UnitOfWork, inspection_id: int) -> Inspection:
    inspection = uow.session.get(Inspection, inspection_id) if valid_id(inspection_id) else None
    if inspection is None or inspection.agency != uow.actor.org_type.value:
        raise NotFound(f"inspection {inspection_id} not found")
    return inspection


def schedule(
    ctx: ServiceContext, actor: Actor, site: str, first: date | None = None, days: int = 7
) -> dict[str, Any]:
    """A site's days from `first` (today): capacity, booked, and the inspections booked on each
    (an agency sees its own inspections; the port office all)."""
    require(actor, Action.INSPECTION_READ)
    if not 1 <= days <= 62:
        raise ValidationFailed.one("days", days, "between 1 and 62")
    check_day("first", first)
    with ctx.uow(actor, write=False) as uow:
        first = first or today(uow)
        last = first + timedelta(days=days - 1)
        slots = {
            s.day: s
            for s in uow.session.scalars(
                select(InspectionSlot).where(
                    InspectionSlot.site == site, InspectionSlot.day.between(first, last)
                )
            )
        }
        query = select(Inspection).where(
            Inspection.site == site, Inspection.day.between(first, last)
        )
        if actor.org_type.value in ("CUSTOMS", "CIQ"):
            query = query.where(Inspection.agency == actor.org_type.value)
        inspections = uow.session.scalars(query.order_by(Inspection.day, Inspection.id)).all()
    out = []
    for n in range(days):
        day = first + timedelta(days=n)
        slot = slots.get(day)
        out.append(
            {
                "day": day.isoformat(),
                "capacity": slot.capacity if slot else ctx.settings.inspection_daily_capacity,
                "booked": slot.booked if slot else 0,
                "inspections": [inspection_view(i) for i in inspections if i.day == day],
            }
        )
    return {"site": site, "days": out}


def set_capacity(
    ctx: ServiceContext, actor: Actor, site: str, day: date, capacity: int
) -> dict[str, Any]:
    """Customs or CIQ (both inspect at the site) set how many inspections it can do on a day,
    not below what is booked."""
    require(actor, Action.INSPECTION_RECORD)
    check_day("day", day)
    if not 0 <= capacity <= 10_000:
        raise ValidationFailed.one("capacity", capacity, "a number of inspections, 0 to 10000")
    with ctx.uow(actor) as uow:
        slot = _slot(uow, site, day, ctx.settings.inspection_daily_capacity)
        if capacity < slot.booked:
            raise InvalidTransition(
                f"capacity: {capacity} is below the {slot.booked} inspections already booked "
                f"at {site} on {day.isoformat()}"
            )
        before = {"capacity": slot.capacity}
        slot.capacity = capacity
        uow.audit(
            "inspection.capacity",
            "inspection_slot",
            f"{site}/{day.isoformat()}",
            before,
            {"capacity": capacity, "booked": slot.booked},
        )
        answer = {"site": site, "day": day.isoformat(), "capacity": capacity, "booked": slot.booked}
        uow.commit()
    return answer
