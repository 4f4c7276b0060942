"""Alerts addressed to the actor's organisation (the port office sees all): list them, read one
with who has and who has not acknowledged it, and acknowledge it for the organisation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kouan.services.platform import alerts
from kouan.web.deps import ApiActor, Ctx, Id, Offset

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


class MessageOut(BaseModel):
    key: str | None = Field(description="message key, rendered in the reader's language")
    params: dict[str, Any]
    text: str = Field(description="the English text, as the record reads")


class SubjectOut(BaseModel):
    type: str
    id: int


class RecipientOut(BaseModel):
    org_id: int | None = Field(description="None: addressed to a type with no organisation yet")
    org_type: str
    org_name: str | None
    name: str = Field(description="the organisation's name, or its type")
    escalation: bool = Field(description="addressed because others' acknowledgements were late")
    acknowledged_at: str | None
    acknowledged_by: str | None = Field(description="the username of who acknowledged")
    escalated_at: str | None
    overdue: bool


class AlertOut(BaseModel):
    id: int
    kind: str = Field(description="e.g. epidemic.joint, arrival.no_permit")
    level: int = Field(description="1 (watch) to 4 (the most severe)")
    subject: SubjectOut
    title: MessageOut
    body: MessageOut | None
    raised_at: str
    raised_by: int | None = Field(description="the user who raised it; None: a rule")
    ack_due_at: str | None
    escalated_at: str | None
    overdue: bool
    acknowledged: list[str] = Field(description="recipients that have acknowledged")
    not_acknowledged: list[str] = Field(description="recipients that have not")
    addressed_to_you: bool
    acknowledged_by_you: bool
    recipients: list[RecipientOut]


class AlertDetail(AlertOut):
    payload: dict[str, Any] = Field(description="what the alert carries, e.g. a contact list")


@router.get("", response_model=list[AlertOut])
def list_alerts(
    ctx: Ctx,
    actor: ApiActor,
    status: Literal["open", "all"] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Newest first; `open`: those your organisation has still to acknowledge (for the port
    office: those anyone has)."""
    return alerts.list_alerts(ctx, actor, status == "open", limit, offset)


@router.get("/{alert_id}", response_model=AlertDetail)
def show(ctx: Ctx, actor: ApiActor, alert_id: Id) -> dict[str, Any]:
    return alerts.show(ctx, actor, alert_id)


@router.post("/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge(ctx: Ctx, actor: ApiActor, alert_id: Id) -> dict[str, Any]:
    """Acknowledge for your organisation, once; acknowledging again changes nothing."""
    return alerts.acknowledge(ctx, actor, alert_id)
