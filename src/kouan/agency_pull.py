"""How an agency's own system works with Kouan: it takes the reviews opened for it from JetStream
(a durable pull consumer on `<prefix>.<AGENCY>.review.opened`) and answers each through Kouan's
HTTP API (`POST /api/v1/reviews/{id}/decision`), as `kouan agency pull` does.

A message is acknowledged only once Kouan answered the decision (or said the review is no longer
open to it), so a system that dies midway takes the same reviews again; it skips an event id it
has seen (the stream delivers at least once).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from nats.aio.msg import Msg

from kouan.adapters import broker
from kouan.domain.agency import Agency, Decision

# The agency's decision on an opened review's event, with its reason; None: leave it to others.
Decide = Callable[[dict[str, Any]], tuple[Decision, str] | None]
_OPEN = ("pending",)
# Answers after which the event is done: decided, or no longer the agency's to decide.
_ANSWERED = {200: "decided", 404: "already_decided", 409: "already_decided"}


@dataclass(frozen=True)
class Answered:
    """What became of one event taken from the stream."""

    event_id: str
    review_id: int
    outcome: str  # decided, already_decided, not_open, skipped, duplicate
    status_code: int | None = None


def durable_name(agency: Agency) -> str:
    return f"kouan-agency-{agency.value}"


async def pull(
    nats_url: str,
    stream: str,
    prefix: str,
    agency: Agency,
    api: httpx.Client,
    headers: dict[str, str],
    decide: Decide,
    batch: int = 50,
    wait_s: float = 1.0,
) -> list[Answered]:
    """Take every review event waiting for the agency and answer it; return once none is left."""
    nc = await broker.connect(nats_url)
    seen: set[str] = set()
    answered: list[Answered] = []
    try:
        subject = f"{prefix}.{agency.value}.review.opened"
        subscription = await broker.pull_subscription(
            nc.jetstream(), stream, durable_name(agency), subject
        )
        while True:
            try:
                messages = await subscription.fetch(batch, timeout=wait_s)
            except TimeoutError:  # nothing more waiting (nats' own TimeoutError is one too)
                return answered
            for message in messages:
                answered.append(await _answer(message, api, headers, decide, seen))
    finally:
        await nc.close()


async def _answer(
    message: Msg,
    api: httpx.Client,
    headers: dict[str, str],
    decide: Decide,
    seen: set[str],
) -> Answered:
    event = json.loads(message.data)
    review = event["review"]
    if event["id"] in seen:
        await message.ack()
        return Answered(event["id"], review["id"], "duplicate")
    if review["status"] not in _OPEN:
        seen.add(event["id"])
        await message.ack()  # decided by the rules as it opened: nothing to answer
        return Answered(event["id"], review["id"], "not_open")
    verdict = decide(event)
    if verdict is None:
        await message.nak()
        return Answered(event["id"], review["id"], "skipped")
    decision, reason = verdict
    body = {"decision": decision.value, "reason": reason, "version": review["version"]}
    response = api.post(f"/api/v1/reviews/{review['id']}/decision", json=body, headers=headers)
    if response.status_code not in _ANSWERED:
        await message.nak()  # Kouan could not take it now: the stream hands it out again
        return Answered(event["id"], review["id"], "retry", response.status_code)
    seen.add(event["id"])
    await message.ack()
    outcome = _ANSWERED[response.status_code]
    return Answered(event["id"], review["id"], outcome, response.status_code)
