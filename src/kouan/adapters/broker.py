"""NATS JetStream, as Kouan uses it: one stream holds every event (subjects `<prefix>.>`), each
message published with its event id as `Nats-Msg-Id`, so that JetStream stores an event sent
twice within its duplicate window once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

# Long enough to cover a relay killed after publishing and restarted before marking: within it
# the republished events are dropped by the server; after it, consumers de-duplicate by id.
DUPLICATE_WINDOW_S = 3600.0
EVENT_ID_HEADER = "Nats-Msg-Id"


@dataclass(frozen=True)
class Message:
    """One event to publish: its subject, its JSON body and its stable id."""

    subject: str
    body: bytes
    event_id: str


async def connect(url: str) -> Client:
    """A connection that gives up quickly when the server is unreachable (the caller retries)."""
    return await nats.connect(
        url, connect_timeout=2, max_reconnect_attempts=2, reconnect_time_wait=0.2
    )


async def ensure_stream(js: JetStreamContext, stream: str, prefix: str) -> None:
    """Create the stream of Kouan's events when the server does not have it yet."""
    try:
        await js.stream_info(stream)
    except NotFoundError:
        config = StreamConfig(
            name=stream,
            subjects=[f"{prefix}.>"],
            duplicate_window=DUPLICATE_WINDOW_S,
        )
        await js.add_stream(config)


async def publish_all(
    js: JetStreamContext, stream: str, messages: Sequence[Message], timeout: float = 5.0
) -> list[bool]:
    """Publish the messages at once and wait for the server's acknowledgements: per message,
    whether JetStream stored it (or had it already: a duplicate is acknowledged too)."""

    async def one(message: Message) -> bool:
        try:
            await js.publish(
                message.subject,
                message.body,
                timeout=timeout,
                stream=stream,
                headers={EVENT_ID_HEADER: message.event_id},
            )
        except (TimeoutError, nats.errors.Error):
            return False
        return True

    return list(await asyncio.gather(*(one(m) for m in messages)))


async def pull_subscription(
    js: JetStreamContext, stream: str, durable: str, filter_subject: str
) -> JetStreamContext.PullSubscription:
    """A durable pull consumer of the stream on `filter_subject`, created when missing: it
    remembers what its reader acknowledged across restarts."""
    config = ConsumerConfig(durable_name=durable, filter_subject=filter_subject, ack_wait=30)
    return await js.pull_subscribe(filter_subject, durable=durable, stream=stream, config=config)
