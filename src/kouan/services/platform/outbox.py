"""The outbox: every decision-relevant event is written in the transaction of the change it
announces, then published to JetStream by the relay (kouan.services.platform.relay), which also
hands an enterprise's own events to its webhooks.

Events are written only when a broker is configured (`KOUAN_NATS_URL`): without one nothing
would ever drain the outbox, and Kouan runs exactly as before, at no cost to filing. An event's
subject is `<prefix>.<audience>.<type>` (docs/events.md): the audience is the agency whose review
it concerns, or PORT for what every agency and the port office follow. Payloads are thin (ids,
states, times; never rules hit or reasons), so an enterprise's webhook can receive the same
payload an agency's system does; details are read through the API, in the reader's scope.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from kouan.adapters.db.tables import Review
from kouan.services.platform.messagebus import ReviewDecided
from kouan.services.platform.unit_of_work import UnitOfWork

PORT = "PORT"  # the audience of events the whole port follows
# The column naming the enterprise that filed a subject, in each kind's row.
_FILER_COLUMNS = ("agent_org_id", "broker_org_id")


class EventType(StrEnum):
    PORT_CALL_FILED = "port_call.filed"
    DECLARATION_FILED = "declaration.filed"
    REVIEW_OPENED = "review.opened"
    REVIEW_DECIDED = "review.decided"
    PERMIT_ISSUED = "permit.issued"
    DECLARATION_RELEASED = "declaration.released"
    # Alerts are not built yet: when they are, they record this type (docs/events.md).
    ALERT_RAISED = "alert.raised"


def enabled(uow: UnitOfWork) -> bool:
    return uow.settings.nats_url is not None


def subject(prefix: str, audience: str, event_type: EventType) -> str:
    return f"{prefix}.{audience}.{event_type.value}"


def record(
    uow: UnitOfWork,
    event_type: EventType,
    audience: str,
    org_id: int | None,
    data: dict[str, Any],
) -> None:
    """Add an event to the unit's outbox; it is written when (and only if) the unit commits.
    Its id, made here once, is what consumers de-duplicate by."""
    if not enabled(uow):
        return
    event_id = os.urandom(16).hex()  # 128 random bits, as a UUID4's, at a fifth of its cost
    payload = {
        "id": event_id,
        "type": event_type.value,
        "occurred_at": uow.now.isoformat(),
        "audience": audience,
        **data,
    }
    uow.outbox.append(
        {
            "event_id": event_id,
            "event_type": event_type.value,
            "subject": subject(uow.settings.nats_subject_prefix, audience, event_type),
            "org_id": org_id,
            "payload": payload,
        }
    )


def filer_of(subject_row: Any) -> int | None:
    """The enterprise that filed a subject (its row, or a plain row being inserted)."""
    for column in _FILER_COLUMNS:
        if isinstance(subject_row, dict):
            value = subject_row.get(column)
        else:
            value = getattr(subject_row, column, None)
        if value is not None:
            return int(value)
    return None


def _stamp(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def port_call_filed(uow: UnitOfWork, call: Any) -> None:
    if not enabled(uow):  # nothing built without a broker: filing costs what it did
        return
    record(
        uow,
        EventType.PORT_CALL_FILED,
        PORT,
        call.agent_org_id,
        {
            "subject": {"type": "port_call", "id": call.id},
            "port": call.port,
            "imo": call.imo,
            "ship_name": call.ship_name,
            "voyage": call.voyage,
            "eta": _stamp(call.eta),
            "status": call.status,
        },
    )


def permit_issued(uow: UnitOfWork, call: Any, permit: str, number: str, at: datetime) -> None:
    """An entry or departure permit (`permit`) was issued to a port call."""
    if not enabled(uow):  # nothing built without a broker: filing costs what it did
        return
    record(
        uow,
        EventType.PERMIT_ISSUED,
        PORT,
        call.agent_org_id,
        {
            "subject": {"type": "port_call", "id": call.id},
            "port": call.port,
            "permit": permit,
            "number": number,
            "issued_at": at.isoformat(),
        },
    )


def _declaration(row: Any) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    return {
        "subject": {"type": "declaration", "id": get("id")},
        "port": get("release_port"),
        "reference": get("reference"),
        "lane": get("lane"),
        "status": get("status"),
    }


def declaration_filed(uow: UnitOfWork, row: dict[str, Any]) -> None:
    if not enabled(uow):  # nothing built without a broker: filing costs what it did
        return
    record(uow, EventType.DECLARATION_FILED, PORT, row["broker_org_id"], _declaration(row))


def declaration_released(uow: UnitOfWork, row: Any, at: datetime) -> None:
    if not enabled(uow):  # nothing built without a broker: filing costs what it did
        return
    org_id = row["broker_org_id"] if isinstance(row, dict) else row.broker_org_id
    data = {**_declaration(row), "released_at": at.isoformat()}
    record(uow, EventType.DECLARATION_RELEASED, PORT, org_id, data)


def _review(row: Any) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    return {
        "subject": {"type": get("subject_type"), "id": get("subject_id")},
        "review": {
            "id": get("id"),
            "agency": get("agency"),
            "phase": get("phase"),
            "status": get("status"),
            "decided_by": get("decided_by"),
            "version": get("version"),
        },
    }


def reviews_opened(uow: UnitOfWork, opened: Sequence[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Each new review (a subject's row with its reviews' rows, each with its id): to the
    agency that reviews, and to the filer's webhooks."""
    if not enabled(uow):
        return
    for subject_row, rows in opened:
        filer = filer_of(subject_row)
        for row in rows:
            record(uow, EventType.REVIEW_OPENED, row["agency"], filer, _review(row))


def on_review_decided(uow: UnitOfWork, event: ReviewDecided) -> None:
    """A review was decided by an officer or an inspection's result (wired in bootstrap)."""
    if not enabled(uow):
        return
    review = uow.session.get(Review, event.review_id)
    assert review is not None, "a decided review exists"
    table = uow.wiring.subjects[event.subject_type].table
    filer = filer_of(uow.session.get(table, event.subject_id))
    record(uow, EventType.REVIEW_DECIDED, review.agency, filer, _review(review))
