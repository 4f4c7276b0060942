"""The relay: publishes the outbox to JetStream, in the order written, and hands the enterprises'
events to their webhooks (kouan.services.platform.webhooks).

At least once, whenever it is killed: an event is marked published only after JetStream
acknowledged it, so a relay killed in between publishes it again, with the same `Nats-Msg-Id`,
which the server drops within its duplicate window (and consumers de-duplicate by id after it).
One relay works at a time: it holds a lease row (`outbox_relay`) that it renews each round and
that expires if it dies; a second relay (another server worker, a CLI) waits. A relay that
stalls past its lease and resumes beside a new one only publishes duplicates, dropped likewise.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

import httpx
from nats.js import JetStreamContext
from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kouan.adapters import blocking, broker
from kouan.adapters.db import outbox_rows
from kouan.adapters.db.tables import RelayLease
from kouan.services.platform import webhooks
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
BATCH = 500
# Published events are pruned at most this often (a DELETE over the outbox).
_PRUNE_EVERY = timedelta(minutes=10)
_LONGEST_PAUSE_S = 30.0


@dataclass
class Round:
    """What one round of the relay did."""

    published: int = 0
    unacknowledged: int = 0
    deliveries: int = 0
    attempts: int = 0
    pruned: int = 0
    leased: bool = True

    @property
    def busy(self) -> bool:
        """Whether there may be more to do at once (a full batch was published)."""
        return self.published >= BATCH


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def take_lease(ctx: ServiceContext, holder: str) -> bool:
    """Take or renew the lease; False while another relay holds it."""
    with ctx.uow(SYSTEM) as uow:
        now = uow.now
        dialect = uow.session.get_bind().dialect.name
        first = (pg_insert if dialect == "postgresql" else sqlite_insert)(RelayLease)
        values = {"id": 1, "holder": holder, "expires_at": now + LEASE}
        uow.session.execute(first.values(values).on_conflict_do_nothing())
        taken = uow.session.execute(
            update(RelayLease)
            .where(
                RelayLease.id == 1,
                or_(RelayLease.holder == holder, RelayLease.expires_at < now),
            )
            .values(holder=holder, expires_at=now + LEASE)
            .returning(RelayLease.id)
        ).first()
        uow.commit()
    return taken is not None


def release_lease(ctx: ServiceContext, holder: str) -> None:
    """Let another relay take over at once (on a clean stop)."""
    with ctx.uow(SYSTEM) as uow:
        uow.session.execute(
            update(RelayLease)
            .where(RelayLease.id == 1, RelayLease.holder == holder)
            .values(expires_at=uow.now - LEASE)
        )
        uow.commit()


async def publish_batch(ctx: ServiceContext, js: JetStreamContext, done: Round) -> None:
    """Publish the oldest unpublished events; mark those JetStream acknowledged, and give the
    enterprises' among them to their webhooks, in one transaction."""
    with ctx.uow(SYSTEM, write=False) as uow:
        events = outbox_rows.unpublished(uow.connection(), BATCH)
    if not events:
        return
    messages = [broker.Message(e.subject, webhooks.body_of(e.payload), e.event_id) for e in events]
    acked = await broker.publish_all(js, ctx.settings.nats_stream, messages)
    stored = [event for event, ok in zip(events, acked, strict=True) if ok]
    done.unacknowledged += len(events) - len(stored)
    if not stored:
        return
    with ctx.uow(SYSTEM) as uow:
        outbox_rows.mark_published(uow.connection(), [e.id for e in stored], uow.now)
        done.deliveries += webhooks.fan_out(uow, stored)
        uow.commit()
    done.published += len(stored)


def prune(ctx: ServiceContext) -> int:
    with ctx.uow(SYSTEM) as uow:
        before = uow.now - timedelta(days=ctx.settings.outbox_retention_days)
        pruned = outbox_rows.prune(uow.connection(), before)
        uow.commit()
    return pruned


class Relay:
    """One relay: its connection to JetStream, its HTTP client for webhooks, its lease."""

    def __init__(self, ctx: ServiceContext, holder: str | None = None) -> None:
        self.ctx = ctx
        self.holder = holder or holder_name()
        self._last_prune = ctx.clock() - _PRUNE_EVERY

    async def run_round(self, js: JetStreamContext, http: httpx.AsyncClient) -> Round:
        done = Round()
        if not take_lease(self.ctx, self.holder):
            done.leased = False
            return done
        await publish_batch(self.ctx, js, done)
        done.attempts = await webhooks.deliver_due(self.ctx, http)
        if self.ctx.clock() - self._last_prune >= _PRUNE_EVERY:
            done.pruned = prune(self.ctx)
            self._last_prune = self.ctx.clock()
        return done

    async def run(
        self, stop: asyncio.Event | threading.Event | None = None, interval: float = 0.5
    ) -> Round:
        """Relay until `stop` is set (None: one round, then as long as batches come full);
        what was done in all. Until stopped, a broker or database that fails is tried again,
        less and less often (at most every `_LONGEST_PAUSE_S`)."""
        url = self.ctx.settings.nats_url
        if url is None:
            raise RuntimeError("KOUAN_NATS_URL is not set: there is no broker to relay to")
        total = Round()
        pause = interval
        async with httpx.AsyncClient(timeout=webhooks.ATTEMPT_TIMEOUT_S) as http:
            while True:
                try:
                    await self._connected_rounds(url, http, stop, interval, total)
                    return total
                except Exception:
                    if stop is None:
                        raise
                    # A server's relay outlives a broker or database that is down for a while.
                    log.exception("outbox relay failed; trying again in %.1f s", pause)
                await _pause(stop, pause)
                if stop.is_set():
                    return total
                pause = min(pause * 2, _LONGEST_PAUSE_S)

    async def _connected_rounds(
        self,
        url: str,
        http: httpx.AsyncClient,
        stop: asyncio.Event | threading.Event | None,
        interval: float,
        total: Round,
    ) -> None:
        nc = await broker.connect(url)
        try:
            js = nc.jetstream()
            settings = self.ctx.settings
            await broker.ensure_stream(js, settings.nats_stream, settings.nats_subject_prefix)
            while True:
                done = await self.run_round(js, http)
                _add(total, done)
                if stop is None and not done.busy:
                    return
                if stop is not None and stop.is_set():
                    release_lease(self.ctx, self.holder)
                    return
                if not done.busy:
                    await asyncio.sleep(interval)
        finally:
            await nc.close()


async def _pause(stop: asyncio.Event | threading.Event, seconds: float) -> None:
    """Sleep, waking early when stopped."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not stop.is_set() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(min(0.2, seconds))


def _add(total: Round, done: Round) -> None:
    total.published += done.published
    total.unacknowledged += done.unacknowledged
    total.deliveries += done.deliveries
    total.attempts += done.attempts
    total.pruned += done.pruned
    total.leased = total.leased and done.leased


class BackgroundRelay:
    """The relay as a thread of the server process (when a broker is configured): its own event
    loop, so that the server's requests never wait on it."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._stop = threading.Event()
        self._relay = Relay(ctx)
        self._thread = threading.Thread(target=self._main, name="kouan-outbox-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _main(self) -> None:
        blocking.run(self._relay.run(self._stop))
