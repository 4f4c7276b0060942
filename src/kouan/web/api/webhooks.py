"""Enterprises' webhooks: register a URL (the answer carries the signing secret, once), list,
deactivate, and read each webhook's delivery log. Payloads and signatures: docs/events.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.services.platform import webhooks
from kouan.web.deps import ApiActor, Ctx, Id, Offset

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(max_length=500, description="http:// or https:// URL")]
    description: Annotated[str, Field(max_length=200)] = ""


class WebhookOut(BaseModel):
    id: int
    url: str
    description: str
    active: bool
    created_at: str


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 key of the signatures; shown only here")


class AttemptOut(BaseModel):
    attempt: int
    at: str
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str
    log: list[AttemptOut]


@router.post("", status_code=201, response_model=WebhookCreated)
def register(ctx: Ctx, actor: ApiActor, body: WebhookIn) -> dict[str, Any]:
    """Register a URL for the enterprise's own filings' events, signed with the secret."""
    return webhooks.register(ctx, actor, body.url, body.description)


@router.get("", response_model=list[WebhookOut])
def list_webhooks(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return webhooks.list_webhooks(ctx, actor)


@router.delete("/{webhook_id}", response_model=WebhookOut)
def deactivate(ctx: Ctx, actor: ApiActor, webhook_id: Id) -> dict[str, Any]:
    """Stop deliveries to the webhook; its delivery log is kept."""
    return webhooks.deactivate(ctx, actor, webhook_id)


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut])
def deliveries(
    ctx: Ctx,
    actor: ApiActor,
    webhook_id: Id,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The delivery log, newest first: every attempt with the receiver's answer."""
    return webhooks.deliveries(ctx, actor, webhook_id, limit, offset)
