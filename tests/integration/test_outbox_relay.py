"""The outbox and its relay to JetStream, on SQLite and PostgreSQL and the real NATS server:
events written in the same transaction as the change, published once each with a stable id,
again (and de-duplicated) after a relay died before marking, one relay at a time."""

from __future__ import annotations

from collections.abc import Iterator

import nats
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kouan.adapters import blocking, broker
from kouan.adapters.db.tables import OutboxEvent
from kouan.bootstrap import service_context
from kouan.cli import app
from kouan.config import get_settings
from kouan.domain.agency import Decision
from kouan.services.cargo import queries
from kouan.services.platform import outbox as events
from kouan.services.platform import relay as relays
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from kouan.services.ships import portcalls
from tests.conftest import Clock, People, file_declaration, register_traders
from tests.events import broker_context, outbox, relay, stream_messages
from tests.factories import arrival_notice, trader

ILL = {"health": {"ill_persons": 1}}  # CIQ refers the call to an officer (boarding quarantine)


@pytest.fixture
def bctx(ctx: ServiceContext, nats_url: str) -> Iterator[ServiceContext]:
    with broker_context(ctx, nats_url) as context:
        yield context


def _file(ctx: ServiceContext, people: People, clock: Clock, **overrides: object) -> dict:
    status, call = portcalls.file_arrival(
        ctx, people["agent"], arrival_notice(clock(), **overrides)
    )
    assert status == 201
    return call


def test_without_a_broker_nothing_is_written(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    assert ctx.settings.nats_url is None
    _file(ctx, people, clock)
    assert outbox(ctx) == []


def test_a_filing_writes_its_events_in_its_own_transaction(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(bctx, people, clock)  # cleared by the rules: four approved reviews, a permit
    found = outbox(bctx)
    assert [e.event_type for e in found] == [
        "port_call.filed",
        *["review.opened"] * 4,
        "permit.issued",
    ]
    prefix = bctx.settings.nats_subject_prefix
    assert found[0].subject == f"{prefix}.PORT.port_call.filed"
    opened = {e.payload["review"]["agency"]: e for e in found[1:5]}
    assert sorted(opened) == ["BORDER", "CIQ", "CUSTOMS", "MSA"]
    assert opened["CIQ"].subject == f"{prefix}.CIQ.review.opened"
    assert all(e.org_id == people["agent"].org_id for e in found)
    assert found[5].payload["number"] == call["entry_permit"]["number"]
    assert len({e.event_id for e in found}) == 6
    assert all(e.published_at is None for e in found)
    # Thin payloads: no rules hit, no reasons (webhooks carry the same payload to enterprises).
    assert all("rules_hit" not in str(e.payload) for e in found)

    with bctx.uow(people["agent"]) as uow:  # a unit that does not commit leaves nothing
        events.port_call_filed(uow, portcalls.find_port_call(uow, call["id"]))
    assert len(outbox(bctx)) == 6


def test_declarations_announce_filing_review_and_release(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    register_traders(bctx, people)
    green = file_declaration(bctx, people, reference="G-1")
    assert green["status"] == "released"
    assert [(e.event_type, e.subject.split(".")[2]) for e in outbox(bctx)] == [
        ("declaration.filed", "PORT"),
        ("review.opened", "CUSTOMS"),
        ("declaration.released", "PORT"),
    ]
    relay(bctx)
    inspected = file_declaration(bctx, people, **trader("D"))  # to inspection
    booked = queries.get_declaration(bctx, people["customs"], inspected["id"])["inspections"]
    inspections.record_result(bctx, people["customs"], booked[0]["id"], True, "as declared")
    later = [e for e in outbox(bctx) if e.published_at is None]
    assert [e.event_type for e in later] == [
        "declaration.filed",
        "review.opened",
        "review.decided",
        "declaration.released",
    ]
    assert {e.org_id for e in later} == {people["broker"].org_id}
    assert {e.payload["subject"]["id"] for e in later} == {inspected["id"]}


def test_the_relay_publishes_each_event_once_with_its_id(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    _file(bctx, people, clock, **ILL)
    written = outbox(bctx)
    done = relay(bctx)
    assert done.published == len(written) and done.unacknowledged == 0
    published = stream_messages(bctx)
    assert [(m.subject, m.event_id) for m in published] == [
        (e.subject, e.event_id) for e in written
    ]
    assert [m.payload["id"] for m in published] == [e.event_id for e in written]
    assert all(e.published_at is not None for e in outbox(bctx))
    assert relay(bctx).published == 0  # nothing left: nothing sent twice
    assert len(stream_messages(bctx)) == len(written)


def test_a_decision_is_announced_after_the_review_and_before_the_permit(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(bctx, people, clock, **ILL)
    ciq = next(r for r in call["reviews"] if r["agency"] == "CIQ")
    assert ciq["status"] in ("pending", "inspect")
    relay(bctx)
    reviews.decide(bctx, people["ciq"], ciq["id"], Decision.APPROVE, "")
    later = [e for e in outbox(bctx) if e.published_at is None]
    assert [e.event_type for e in later] == ["review.decided", "permit.issued"]
    assert later[0].subject.endswith(".CIQ.review.decided")
    assert later[0].payload["review"]["status"] == "approved"
    relay(bctx)
    assert [m.payload["type"] for m in stream_messages(bctx)][-2:] == [
        "review.decided",
        "permit.issued",
    ]


def test_a_relay_killed_before_marking_publishes_again_and_the_server_drops_the_copies(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    _file(bctx, people, clock, **ILL)
    written = outbox(bctx)
    # What a relay killed after JetStream's acknowledgement but before its commit did.
    blocking.run(_publish_without_marking(bctx, written))
    assert len(stream_messages(bctx)) == len(written)
    assert relay(bctx).published == len(written)  # still unmarked: published again...
    published = stream_messages(bctx)
    assert len(published) == len(written)  # ...and stored once
    assert sorted(m.event_id for m in published) == sorted(e.event_id for e in written)


async def _publish_without_marking(ctx: ServiceContext, written: list[OutboxEvent]) -> None:
    settings = ctx.settings
    assert settings.nats_url is not None
    nc = await nats.connect(settings.nats_url)
    js = nc.jetstream()
    await broker.ensure_stream(js, settings.nats_stream, settings.nats_subject_prefix)
    messages = [broker.Message(e.subject, b"{}", e.event_id) for e in written]
    assert all(await broker.publish_all(js, settings.nats_stream, messages))
    await nc.close()


def test_one_relay_at_a_time_until_its_lease_expires(bctx: ServiceContext, clock: Clock) -> None:
    assert relays.take_lease(bctx, "first")
    assert relays.take_lease(bctx, "first")  # renewed
    assert not relays.take_lease(bctx, "second")
    assert not relay(bctx, holder="second").leased
    clock.advance(seconds=relays.LEASE.total_seconds() + 1)  # the first died
    assert relays.take_lease(bctx, "second")
    relays.release_lease(bctx, "second")
    assert relays.take_lease(bctx, "first")


def test_published_events_are_pruned_after_the_retention(
    bctx: ServiceContext, people: People, clock: Clock
) -> None:
    _file(bctx, people, clock)
    relay(bctx)
    clock.advance(days=bctx.settings.outbox_retention_days + 1)
    _file(bctx, people, clock, voyage="0522-013W")
    assert relays.prune(bctx) == 6
    with bctx.sessions() as session:
        left = session.scalar(select(func.count()).select_from(OutboxEvent))
    assert left == 6 and all(e.published_at is None for e in outbox(bctx))
    clock.advance(minutes=1)
    assert relays.prune(bctx) == 0


def test_an_unreachable_broker_leaves_the_outbox_as_it_was(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    settings = ctx.settings.model_copy(update={"nats_url": "nats://127.0.0.1:9"})
    unreachable = service_context(ctx.engine, settings, clock)
    _file(unreachable, people, clock)
    with pytest.raises(Exception):  # noqa: B017 - whatever the client raises
        relay(unreachable)
    assert [e.published_at for e in outbox(unreachable)] == [None] * 6


def test_the_command_line_relays_once_and_refuses_without_a_broker(
    bctx: ServiceContext,
    people: People,
    clock: Clock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _file(bctx, people, clock)
    settings = bctx.settings
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["outbox", "relay"])
        assert refused.exit_code == 2 and "KOUAN_NATS_URL" in refused.output
        monkeypatch.setenv("KOUAN_NATS_URL", str(settings.nats_url))
        monkeypatch.setenv("KOUAN_NATS_STREAM", settings.nats_stream)
        monkeypatch.setenv("KOUAN_NATS_SUBJECT_PREFIX", settings.nats_subject_prefix)
        get_settings.cache_clear()
        relayed = CliRunner().invoke(app, ["outbox", "relay", "--once"])
        assert relayed.exit_code == 0, relayed.output
        assert "published 6" in relayed.output
    finally:
        get_settings.cache_clear()
    assert len(stream_messages(bctx)) == 6
