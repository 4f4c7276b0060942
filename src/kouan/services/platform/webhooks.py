"""Enterprises' webhooks: a URL that receives the enterprise's own filings' events, each signed
with HMAC-SHA256 under the webhook's secret, retried with exponential back-off, every attempt kept
in a delivery log the enterprise reads through the API.

Deliveries are made by the relay (kouan.services.platform.relay), never inside a user's request:
`fan_out` turns events JetStream acknowledged into deliveries, `deliver_due` attempts those due.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kouan.adapters.db.tables import Webhook, WebhookAttempt, WebhookDelivery
from kouan.domain.errors import NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.services.platform.permissions import SYSTEM, Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SIGNATURE_HEADER = "Kouan-Signature"
TIMESTAMP_HEADER = "Kouan-Timestamp"
EVENT_ID_HEADER = "Kouan-Event-Id"
EVENT_TYPE_HEADER = "Kouan-Event-Type"
# The first retry after this, each next one twice as late, none later than the cap.
FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=6)
ATTEMPT_TIMEOUT_S = 5.0
_URL_EXPECTED = "an http:// or https:// URL of at most 500 characters with a host name"


# --- signing ----------------------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    """The request body: the event's payload as compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 under the secret over `<timestamp>.<body>`;
    the receiver recomputes it and checks the timestamp is recent (replays are refused)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def next_attempt(now: datetime, attempts: int) -> datetime:
    """When a delivery that failed `attempts` times is tried again."""
    wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return now + wait


# --- registering ------------------------------------------------------------------------------


def _checked_url(ctx: ServiceContext, url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > 500 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed.one("url", url, _URL_EXPECTED)
    if not ctx.settings.webhook_allow_private_hosts and _private(parts.hostname):
        raise ValidationFailed.one(
            "url", url, "a URL on the public internet (not this machine or a private network)"
        )
    return url


def _private(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: resolved by the relay when it delivers
    return not address.is_global


def _scope(actor: Actor) -> Any:
    require(actor, Action.WEBHOOKS_MANAGE)
    return Webhook.org_id == actor.org_id


def _view(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "description": hook.description,
        "active": hook.active,
        "created_at": hook.created_at.isoformat(),
    }


def register(ctx: ServiceContext, actor: Actor, url: str, description: str = "") -> dict[str, Any]:
    """An enterprise registers a URL; the answer carries the secret, shown this once."""
    require(actor, Action.WEBHOOKS_MANAGE)
    checked = _checked_url(ctx, url)
    with ctx.uow(actor) as uow:
        hook = Webhook(
            org_id=actor.org_id,
            url=checked,
            secret=secrets.token_hex(32),
            description=description.strip(),
            active=True,
            created_by=actor.user_id,
            created_at=uow.now,
        )
        uow.session.add(hook)
        uow.session.flush()
        uow.audit("webhook.registered", "webhook", hook.id, None, _view(hook))
        view = {**_view(hook), "secret": hook.secret}
        uow.commit()
    return view


def list_webhooks(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    query = select(Webhook).where(_scope(actor)).order_by(Webhook.id)
    with ctx.uow(actor, write=False) as uow:
        return [_view(hook) for hook in uow.session.scalars(query)]


def _find(uow: UnitOfWork, webhook_id: int) -> Webhook:
    """The actor's organisation's webhook; NotFound for anyone else's."""
    query = select(Webhook).where(Webhook.id == webhook_id, _scope(uow.actor))
    hook = uow.session.scalar(query) if valid_id(webhook_id) else None
    if hook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


def deactivate(ctx: ServiceContext, actor: Actor, webhook_id: int) -> dict[str, Any]:
    """Stop deliveries to a webhook (its log is kept)."""
    with ctx.uow(actor) as uow:
        hook = _find(uow, webhook_id)
        before = _view(hook)
        hook.active = False
        uow.audit("webhook.deactivated", "webhook", hook.id, before, _view(hook))
        view = _view(hook)
        uow.commit()
    return view


def deliveries(
    ctx: ServiceContext, actor: Actor, webhook_id: int, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The delivery log of a webhook, newest first: each delivery with every attempt."""
    with ctx.uow(actor, write=False) as uow:
        hook = _find(uow, webhook_id)
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
            .offset(offset)
        )
        found = list(uow.session.scalars(query))
        attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in found}
        if found:
            logged = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(attempts)))
            for attempt in uow.session.scalars(logged.order_by(WebhookAttempt.id)):
                attempts[attempt.delivery_id].append(attempt)
        return [_delivery_view(d, attempts[d.id]) for d in found]


def _delivery_view(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat()
        if delivery.status == PENDING
        else None,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "created_at": delivery.created_at.isoformat(),
        "log": [
            {
                "attempt": a.attempt,
                "at": a.at.isoformat(),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
    }


# --- delivering (the relay's) -----------------------------------------------------------------


def fan_out(uow: UnitOfWork, events: list[Row[Any]]) -> int:
    """A delivery to each active webhook of the enterprise each event concerns; how many. An
    event handed out twice (two relays) is delivered once per webhook."""
    orgs = {e.org_id for e in events if e.org_id is not None}
    if not orgs:
        return 0
    hooks: dict[int, list[int]] = {}
    query = select(Webhook.id, Webhook.org_id).where(
        Webhook.org_id.in_(orgs), Webhook.active.is_(True)
    )
    for hook_id, org_id in uow.session.execute(query):
        hooks.setdefault(org_id, []).append(hook_id)
    rows = [
        {
            "webhook_id": hook_id,
            "event_id": event.event_id,
            "event_type": event.event_type,
            "payload": event.payload,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": uow.now,
            "created_at": uow.now,
        }
        for event in events
        for hook_id in hooks.get(event.org_id, ())
    ]
    if rows:
        dialect = uow.session.get_bind().dialect.name
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(WebhookDelivery)
        uow.session.execute(insert.on_conflict_do_nothing(), rows)
    return len(rows)


@dataclass(frozen=True)
class _Due:
    delivery_id: int
    webhook_id: int
    attempts: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    url: str
    secret: str


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _due(ctx: ServiceContext, limit: int) -> list[_Due]:
    query = (
        select(
            WebhookDelivery.id,
            WebhookDelivery.webhook_id,
            WebhookDelivery.attempts,
            WebhookDelivery.event_id,
            WebhookDelivery.event_type,
            WebhookDelivery.payload,
            Webhook.url,
            Webhook.secret,
        )
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status == PENDING,
            WebhookDelivery.next_attempt_at <= ctx.clock(),
            Webhook.active.is_(True),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    with ctx.uow(SYSTEM, write=False) as uow:
        return [_Due(*row) for row in uow.session.execute(query)]


async def _resolves_private(url: str) -> str | None:
    """The private address the URL's host name resolves to now, if any: a name registered as
    public may later point inside the port's network (the check at registration sees only
    literal addresses)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _private(host):
        return host
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443)
    except OSError:
        return None  # unresolvable: the attempt itself fails and is logged
    for *_, sockaddr in found:
        address = str(sockaddr[0]).split("%")[0]  # an IPv6 address may carry its interface
        if _private(address):
            return address
    return None


async def _attempt(
    http: httpx.AsyncClient, due: _Due, timestamp: int, allow_private: bool = False
) -> _Answer:
    if not allow_private:
        inside = await _resolves_private(due.url)
        if inside is not None:
            return _Answer(None, f"refused: the host resolves to a private address {inside}", 0)
    body = body_of(due.payload)
    headers = {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: due.event_id,
        EVENT_TYPE_HEADER: due.event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(due.secret, timestamp, body),
    }
    started = time.perf_counter()
    try:
        response = await http.post(due.url, content=body, headers=headers)
        status, error = response.status_code, ""
    except httpx.HTTPError as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"[:500]
    return _Answer(status, error, round((time.perf_counter() - started) * 1000))


async def deliver_due(ctx: ServiceContext, http: httpx.AsyncClient, limit: int = 50) -> int:
    """Attempt the deliveries that are due and log each attempt; how many were made. Webhooks
    are served at once, each one's deliveries one after another in the order the events were
    written (a retried one comes later, so receivers order by `occurred_at`, not arrival)."""
    due = _due(ctx, limit)
    if not due:
        return 0
    timestamp = int(ctx.clock().timestamp())
    by_webhook: dict[int, list[_Due]] = {}
    for delivery in due:
        by_webhook.setdefault(delivery.webhook_id, []).append(delivery)

    async def in_turn(deliveries: list[_Due]) -> list[tuple[_Due, _Answer]]:
        allow = ctx.settings.webhook_allow_private_hosts
        return [(d, await _attempt(http, d, timestamp, allow)) for d in deliveries]

    answered = await asyncio.gather(*(in_turn(found) for found in by_webhook.values()))
    with ctx.uow(SYSTEM) as uow:
        for delivery, answer in (pair for pairs in answered for pair in pairs):
            _log(uow, delivery, answer)
        uow.commit()
    return len(due)


def _log(uow: UnitOfWork, due: _Due, answer: _Answer) -> None:
    """Record the attempt and move the delivery on: delivered, retried later, or failed."""
    attempts = due.attempts + 1
    error = answer.error or ("" if answer.delivered else f"HTTP {answer.status_code}")
    uow.session.add(
        WebhookAttempt(
            delivery_id=due.delivery_id,
            attempt=attempts,
            at=uow.now,
            status_code=answer.status_code,
            error=error,
            duration_ms=answer.duration_ms,
        )
    )
    if answer.delivered:
        values: dict[str, Any] = {"status": DELIVERED, "delivered_at": uow.now}
    elif attempts >= uow.settings.webhook_max_attempts:
        values = {"status": FAILED}
    else:
        values = {"next_attempt_at": next_attempt(uow.now, attempts)}
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == due.delivery_id, WebhookDelivery.status == PENDING)
        .values(attempts=attempts, **values)
    )
    uow.session.execute(statement)
