"""Alerts, built once for the whole port: raised by a rule or an event (a joint epidemic alert, an
arrival without a permit, an overdue transit or referral, an enterprise's late request),
addressed to types of organisation (the agencies, the port office) and to organisations (an
airline...), acknowledged once by each, and escalated to the port office when an
acknowledgement is overdue.

An alert addressed to a type is addressed to every organisation of that type when it is raised
(one recipient row each); with none of that type yet, to the type itself, whose first
organisation to acknowledge takes the row. Organisations made later are not added.

Who sees what is decided in kouan.services.platform.permissions (`alert_scope`): the port office
every alert, everyone else, enterprises included, only those addressed to it. Every change is
audited in its unit of work; `raise_in` raises inside a caller's unit (a CIQ officer's
confirmation and its joint alert are one transaction), `raise_alert` in a unit of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, true

from kouan.adapters.db.alert_tables import Alert, AlertRecipient
from kouan.adapters.db.tables import Organisation, User
from kouan.domain.agency import OrgType
from kouan.domain.canonical import digest
from kouan.domain.errors import Forbidden, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import Reason
from kouan.services.platform.permissions import (
    SYSTEM,
    Action,
    Actor,
    addressed_to,
    alert_scope,
    require,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

# The kinds the product raises (a kind is any short dotted name; these are the known ones).
EPIDEMIC_JOINT = "epidemic.joint"
ARRIVAL_WITHOUT_PERMIT = "arrival.no_permit"
TRANSIT_OVERDUE = "transit.overdue"
REFERRAL_OVERDUE = "referral.overdue"
REQUEST_LATE = "request.late"
LEVELS = (1, 2, 3, 4)  # 1 watch ... 4 the most severe, as epidemic alert levels
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_MAX_PAYLOAD = 2_000_000  # characters of JSON: a wide-body's contact list is a few hundred kB


# --- raising ----------------------------------------------------------------------------------


def raise_alert(
    ctx: ServiceContext,
    actor: Actor,
    *,
    kind: str,
    level: int,
    subject_type: str,
    subject_id: int,
    title: Reason,
    body: Reason | None = None,
    payload: Mapping[str, Any] | None = None,
    to_types: Iterable[OrgType] = (),
    to_orgs: Iterable[int] = (),
    ack_due_at: datetime | None = None,
) -> dict[str, Any]:
    """Raise an alert in a unit of work of its own; the alert as `show` answers it."""
    with ctx.uow(actor) as uow:
        alert_id = raise_in(
            uow,
            kind=kind,
            level=level,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title,
            body=body,
            payload=payload,
            to_types=to_types,
            to_orgs=to_orgs,
            ack_due_at=ack_due_at,
        )
        view = _show(uow, alert_id)
        uow.commit()
    return view


def raise_in(
    uow: UnitOfWork,
    *,
    kind: str,
    level: int,
    subject_type: str,
    subject_id: int,
    title: Reason,
    body: Reason | None = None,
    payload: Mapping[str, Any] | None = None,
    to_types: Iterable[OrgType] = (),
    to_orgs: Iterable[int] = (),
    ack_due_at: datetime | None = None,
) -> int:
    """Raise an alert inside the caller's unit of work (which commits); its id."""
    require(uow.actor, Action.ALERTS_RAISE)
    _check(kind, level, subject_type, subject_id, ack_due_at)
    stored = _payload(payload or {})
    # Whom to address is settled before anything is written: a refusal leaves the caller's
    # unit of work as it was.
    addressed = _addressed(uow, set(to_types), set(to_orgs))
    alert = Alert(
        kind=kind,
        level=level,
        subject_type=subject_type,
        subject_id=subject_id,
        title_key=title.key,
        title_params=title.as_dict()["params"],
        title=title.text,
        body_key=body.key if body else None,
        body_params=body.as_dict()["params"] if body else None,
        body=body.text if body else "",
        payload=stored,
        raised_by=uow.actor.user_id or None,
        raised_at=uow.now,
        ack_due_at=ack_due_at,
    )
    uow.session.add(alert)
    uow.session.flush()
    recipients = [_recipient(alert.id, org_type, org_id) for org_type, org_id in addressed]
    uow.session.add_all(recipients)
    uow.session.flush()
    uow.audit("alert.raised", "alert", alert.id, None, _raised_record(alert, recipients, stored))
    return alert.id


def _check(
    kind: str, level: int, subject_type: str, subject_id: int, ack_due_at: datetime | None
) -> None:
    if len(kind) > 40 or not _KIND.fullmatch(kind):
        raise ValidationFailed.one("kind", kind, "a dotted lower-case name such as epidemic.joint")
    if isinstance(level, bool) or level not in LEVELS:
        raise ValidationFailed.one("level", level, "a level from 1 to 4")
    if not 0 < len(subject_type) <= 20:
        raise ValidationFailed.one("subject_type", subject_type, "a name of 1 to 20 characters")
    if not valid_id(subject_id):
        raise ValidationFailed.one("subject_id", subject_id, "an id")
    if ack_due_at is not None and ack_due_at.tzinfo is None:
        raise ValidationFailed.one("ack_due_at", str(ack_due_at), "an aware date and time")


def _payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as JSON stores it (refused if JSON cannot hold it, or too large)."""
    try:
        text = json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError):
        raise ValidationFailed.one(
            "payload", "...", "JSON: text, numbers, lists, objects"
        ) from None
    if len(text) > _MAX_PAYLOAD:
        raise ValidationFailed.one("payload", f"{len(text)} characters", "at most 2 MB of JSON")
    stored: dict[str, Any] = json.loads(text)
    return stored


def _addressed(
    uow: UnitOfWork, types: set[OrgType], org_ids: set[int]
) -> list[tuple[str, int | None]]:
    """(type, organisation) of each recipient: every organisation addressed by its id or by its
    type, once; a type without any organisation yet is addressed as itself (no organisation)."""
    if not types and not org_ids:
        raise ValidationFailed.one(
            "recipients", [], "at least one recipient: a type of organisation or an organisation"
        )
    if invalid := sorted(o for o in org_ids if not valid_id(o)):
        raise ValidationFailed.one("to_orgs", invalid, "ids of organisations")
    named = _organisations(uow, Organisation.id.in_(org_ids)) if org_ids else {}
    if missing := sorted(org_ids - set(named)):
        raise ValidationFailed.one("to_orgs", missing, "ids of organisations")
    of_types = _organisations(uow, Organisation.type.in_([t.value for t in types]))
    found: list[tuple[str, int | None]] = [
        (org_type, org) for org, org_type in {**of_types, **named}.items()
    ]
    with_orgs = {OrgType(org_type) for org_type in of_types.values()}
    return found + [(t.value, None) for t in sorted(types - with_orgs)]


def _recipient(
    alert_id: int, org_type: str, org_id: int | None, escalation: bool = False
) -> AlertRecipient:
    return AlertRecipient(
        alert_id=alert_id, org_type=org_type, org_id=org_id, escalation=escalation
    )


def _organisations(uow: UnitOfWork, where: Any) -> dict[int, str]:
    """Organisation id -> type, in id order."""
    query = select(Organisation.id, Organisation.type).where(where).order_by(Organisation.id)
    return {org_id: org_type for org_id, org_type in uow.session.execute(query)}


def _raised_record(
    alert: Alert, recipients: Sequence[AlertRecipient], payload: dict[str, Any]
) -> dict[str, Any]:
    """What the audit keeps of a raised alert: everything but the payload, which it keeps as a
    digest (a contact list is personal data; its digest proves what was sent)."""
    return {
        "kind": alert.kind,
        "level": alert.level,
        "subject": {"type": alert.subject_type, "id": alert.subject_id},
        "title": {"key": alert.title_key, "params": alert.title_params},
        "body": {"key": alert.body_key, "params": alert.body_params} if alert.body_key else None,
        "payload_sha256": digest(payload),
        "recipients": [{"org_type": r.org_type, "org_id": r.org_id} for r in recipients],
        "ack_due_at": _iso(alert.ack_due_at),
    }


# --- reading ----------------------------------------------------------------------------------


def list_alerts(
    ctx: ServiceContext,
    actor: Actor,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The alerts the actor may see, newest first; `open_only`: those still waiting for the
    actor's organisation to acknowledge (for the port office, for anyone)."""
    query = select(Alert).where(alert_scope(actor))
    if open_only:
        query = query.where(Alert.id.in_(_waiting(actor)))
    query = query.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit).offset(offset)
    with ctx.uow(actor, write=False) as uow:
        found = list(uow.session.scalars(query))
        recipients = _recipient_rows(uow, [a.id for a in found])
        return [_view(uow, a, recipients.get(a.id, []), with_payload=False) for a in found]


def _waiting(actor: Actor) -> Select[Any]:
    mine = true() if actor.org_type is OrgType.PORT_OFFICE else addressed_to(actor)
    return select(AlertRecipient.alert_id).where(AlertRecipient.acknowledged_at.is_(None), mine)


def show(ctx: ServiceContext, actor: Actor, alert_id: int) -> dict[str, Any]:
    """One alert, its payload and who has and who has not acknowledged it. An alert whose
    payload names persons (a contact list) is a view of their records: audited, by counts."""
    with ctx.uow(actor) as uow:
        alert = _find(uow, alert_id)
        view = _show(uow, alert.id)
        contacts = alert.payload.get("contacts") if isinstance(alert.payload, dict) else None
        if contacts:
            uow.audit("alert.viewed", "alert", alert.id, None, {"contacts": len(contacts)})
            uow.commit()
    return view


def _find(uow: UnitOfWork, alert_id: int) -> Alert:
    """The alert if the actor may see it; NotFound otherwise (as if it did not exist)."""
    query = select(Alert).where(Alert.id == alert_id, alert_scope(uow.actor))
    alert = uow.session.scalar(query) if valid_id(alert_id) else None
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


def _show(uow: UnitOfWork, alert_id: int) -> dict[str, Any]:
    alert = uow.session.get_one(Alert, alert_id)
    return _view(uow, alert, _recipient_rows(uow, [alert_id]).get(alert_id, []))


_Recipient = tuple[AlertRecipient, str | None, str | None]  # the row, org name, acknowledger


def _recipient_rows(uow: UnitOfWork, alert_ids: list[int]) -> dict[int, list[_Recipient]]:
    if not alert_ids:
        return {}
    query = (
        select(AlertRecipient, Organisation.name, User.username)
        .outerjoin(Organisation, Organisation.id == AlertRecipient.org_id)
        .outerjoin(User, User.id == AlertRecipient.acknowledged_by)
        .where(AlertRecipient.alert_id.in_(alert_ids))
        .order_by(AlertRecipient.alert_id, AlertRecipient.id)
    )
    rows: dict[int, list[_Recipient]] = {}
    for row, org_name, username in uow.session.execute(query):
        rows.setdefault(row.alert_id, []).append((row, org_name, username))
    return rows


def _view(
    uow: UnitOfWork, alert: Alert, recipients: list[_Recipient], with_payload: bool = True
) -> dict[str, Any]:
    now, actor = uow.now, uow.actor
    shown = [_recipient_view(alert, r, now) for r in recipients]
    mine = [row for row, _, _ in recipients if _is_mine(row, actor)]
    view: dict[str, Any] = {
        "id": alert.id,
        "kind": alert.kind,
        "level": alert.level,
        "subject": {"type": alert.subject_type, "id": alert.subject_id},
        "title": _message(alert.title_key, alert.title_params, alert.title),
        "body": _message(alert.body_key, alert.body_params, alert.body) if alert.body_key else None,
        "raised_at": alert.raised_at.isoformat(),
        "raised_by": alert.raised_by,
        "ack_due_at": _iso(alert.ack_due_at),
        "escalated_at": _iso(alert.escalated_at),
        "overdue": any(r["overdue"] for r in shown),
        "acknowledged": [r["name"] for r in shown if r["acknowledged_at"]],
        "not_acknowledged": [r["name"] for r in shown if not r["acknowledged_at"]],
        "addressed_to_you": bool(mine),
        "acknowledged_by_you": bool(mine) and all(r.acknowledged_at for r in mine),
        "recipients": shown,
    }
    if with_payload:
        view["payload"] = alert.payload
    return view


def _message(key: str | None, params: dict[str, Any] | None, text: str) -> dict[str, Any]:
    return {"key": key, "params": params or {}, "text": text}


def _recipient_view(alert: Alert, recipient: _Recipient, now: datetime) -> dict[str, Any]:
    row, org_name, username = recipient
    return {
        "org_id": row.org_id,
        "org_type": row.org_type,
        "org_name": org_name,
        "name": org_name or row.org_type,
        "escalation": row.escalation,
        "acknowledged_at": _iso(row.acknowledged_at),
        "acknowledged_by": username,
        "escalated_at": _iso(row.escalated_at),
        "overdue": _late(row, alert.ack_due_at, now),
    }


def _late(row: AlertRecipient, due: datetime | None, now: datetime) -> bool:
    """Past due and not acknowledged; the port office addressed by an escalation is not itself
    late (it was addressed after the due time)."""
    if row.escalation or row.acknowledged_at is not None:
        return False
    return due is not None and due <= now


def _is_mine(row: AlertRecipient, actor: Actor) -> bool:
    if row.org_id is not None:
        return row.org_id == actor.org_id
    return row.org_type == actor.org_type.value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- acknowledging ----------------------------------------------------------------------------


def acknowledge(ctx: ServiceContext, actor: Actor, alert_id: int) -> dict[str, Any]:
    """The actor's organisation acknowledges the alert, once: a second acknowledgement (by any
    of its users) changes nothing and answers the alert as it stands."""
    require(actor, Action.ALERTS_ACKNOWLEDGE)
    with ctx.uow(actor) as uow:
        alert = _find(uow, alert_id)
        acknowledge_in(uow, alert.id)
        view = _show(uow, alert.id)
        uow.commit()
    return view


def acknowledge_in(uow: UnitOfWork, alert_id: int) -> None:
    """The unit's actor's organisation acknowledges the alert inside the caller's unit of work
    (once: again changes nothing)."""
    actor = uow.actor
    row = _own_row(uow, alert_id)
    if row.acknowledged_at is None:
        before = _ack_record(row, None)
        row.org_id = actor.org_id  # takes a row addressed to its type alone
        row.acknowledged_at = uow.now
        row.acknowledged_by = actor.user_id or None
        uow.session.flush()
        after = _ack_record(row, actor.username)
        uow.audit("alert.acknowledged", "alert", alert_id, before, after)


def _own_row(uow: UnitOfWork, alert_id: int) -> AlertRecipient:
    """The actor's organisation's recipient row, locked: its own, or else one addressed to its
    type that no organisation has taken. Forbidden when the alert is not addressed to it (the
    port office sees every alert but acknowledges only those addressed to it)."""
    actor = uow.actor
    query = (
        select(AlertRecipient)
        .where(AlertRecipient.alert_id == alert_id, addressed_to(actor))
        # Its own row before a type's row nobody has taken.
        .order_by(AlertRecipient.org_id.is_(None), AlertRecipient.id)
        .limit(1)
        .with_for_update()
    )
    row = uow.session.scalar(query)
    if row is None:
        raise Forbidden(f"alert {alert_id} is not addressed to {actor.org_name}")
    return row


def _ack_record(row: AlertRecipient, by: str | None) -> dict[str, Any]:
    return {
        "recipient": row.id,
        "org_type": row.org_type,
        "org_id": row.org_id,
        "acknowledged_at": _iso(row.acknowledged_at),
        "acknowledged_by": by,
    }


# --- escalating -------------------------------------------------------------------------------


def escalate_overdue(ctx: ServiceContext) -> int:
    """Mark every recipient whose acknowledgement is overdue as escalated and address the port
    office on its alert; how many alerts were escalated. A recipient is escalated once: a later
    run finds it marked (and the port office rows it added are the escalation, never escalated
    themselves). Run it every minute or so (a command or a thread of the server)."""
    with ctx.uow(SYSTEM) as uow:
        overdue = _overdue(uow)
        by_alert: dict[int, list[AlertRecipient]] = {}
        for row in overdue:
            by_alert.setdefault(row.alert_id, []).append(row)
        for alert_id, rows in by_alert.items():
            _escalate(uow, alert_id, rows)
        uow.commit()
    return len(by_alert)


def _overdue(uow: UnitOfWork) -> list[AlertRecipient]:
    """Recipients past due, not acknowledged, not yet escalated; locked, so that two runs at
    once escalate each once (the second finds them marked once the first commits)."""
    query = (
        select(AlertRecipient)
        .join(Alert, Alert.id == AlertRecipient.alert_id)
        .where(
            Alert.ack_due_at <= uow.now,
            AlertRecipient.acknowledged_at.is_(None),
            AlertRecipient.escalated_at.is_(None),
            AlertRecipient.escalation.is_(False),
        )
        .order_by(AlertRecipient.alert_id, AlertRecipient.id)
        .with_for_update(of=AlertRecipient)
    )
    return list(uow.session.scalars(query))


def _escalate(uow: UnitOfWork, alert_id: int, rows: list[AlertRecipient]) -> None:
    alert = uow.session.get_one(Alert, alert_id)
    for row in rows:
        row.escalated_at = uow.now
    if alert.escalated_at is None:
        alert.escalated_at = uow.now
    added = _address_port_office(uow, alert_id)
    uow.session.flush()
    record = {
        "overdue": [{"org_type": r.org_type, "org_id": r.org_id} for r in rows],
        "port_office_added": [r.org_id for r in added],
        "ack_due_at": _iso(alert.ack_due_at),
        "escalated_at": _iso(uow.now),
    }
    uow.audit("alert.escalated", "alert", alert_id, None, record)


def _address_port_office(uow: UnitOfWork, alert_id: int) -> list[AlertRecipient]:
    """Port office rows for the alert where it has none yet (one per port office, or the type's
    own row if there is no port office organisation)."""
    office = OrgType.PORT_OFFICE.value
    has = select(AlertRecipient.org_id).where(
        AlertRecipient.alert_id == alert_id, AlertRecipient.org_type == office
    )
    present = set(uow.session.scalars(has))
    offices = _organisations(uow, Organisation.type == office)
    wanted: list[int | None] = [org for org in offices if org not in present]
    if not offices and not present:
        wanted = [None]
    rows = [_recipient(alert_id, office, org, escalation=True) for org in wanted]
    uow.session.add_all(rows)
    return rows
