"""What the event tests share: a service context relaying to a stream of the test's own on the
real NATS server, reading that stream back, running the relay, and a local webhook receiver."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import nats
from sqlalchemy import select

from kouan.adapters import blocking, broker
from kouan.adapters.db.tables import OutboxEvent
from kouan.bootstrap import service_context
from kouan.services.platform.relay import Relay, Round
from kouan.services.platform.unit_of_work import ServiceContext


@contextmanager
def broker_context(ctx: ServiceContext, nats_url: str) -> Iterator[ServiceContext]:
    """`ctx`'s database and clock with a broker configured: a stream and subjects of this test's
    own (tests run side by side on one server), deleted afterwards."""
    tag = uuid.uuid4().hex[:12]
    settings = ctx.settings.model_copy(
        update={
            "nats_url": nats_url,
            "nats_stream": f"KOUAN_TEST_{tag}",
            "nats_subject_prefix": f"kouantest.{tag}",
            "webhook_allow_private_hosts": True,
            # The tests relay when they choose to (one test runs the server's relay).
            "outbox_relay_in_server": False,
        }
    )
    yield service_context(ctx.engine, settings, ctx.clock)
    blocking.run(_delete_stream(nats_url, settings.nats_stream))


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await nc.close()


def relay(ctx: ServiceContext, holder: str = "test-relay") -> Round:
    """One run of the relay, until the outbox is empty."""
    return blocking.run(Relay(ctx, holder).run())


@dataclass(frozen=True)
class Published:
    subject: str
    event_id: str  # the Nats-Msg-Id header
    payload: dict[str, Any]


def stream_messages(ctx: ServiceContext) -> list[Published]:
    """Every message the test's stream holds, in order."""
    return blocking.run(_read_stream(ctx))


async def _read_stream(ctx: ServiceContext) -> list[Published]:
    settings = ctx.settings
    assert settings.nats_url is not None
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(settings.nats_stream)
        count = info.state.messages
        out = []
        for seq in range(info.state.first_seq, info.state.first_seq + count):
            message = await js.get_msg(settings.nats_stream, seq)
            headers = message.headers or {}
            out.append(
                Published(
                    message.subject,
                    headers[broker.EVENT_ID_HEADER],
                    json.loads(message.data or b"{}"),
                )
            )
        return out
    finally:
        await nc.close()


def outbox(ctx: ServiceContext) -> list[OutboxEvent]:
    with ctx.sessions() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


@dataclass
class Received:
    """The requests a receiver got: headers and raw body each."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    # Status codes to answer, in turn; 200 once they run out.
    answers: list[int] = field(default_factory=list)


@contextmanager
def receiver() -> Iterator[tuple[str, Received]]:
    """A webhook receiver on 127.0.0.1 (an ephemeral port): its URL and what it received."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append(({k: v for k, v in self.headers.items()}, body))
            status = received.answers.pop(0) if received.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/kouan", received
    finally:
        server.shutdown()
        server.server_close()
