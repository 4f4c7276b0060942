"""Events over HTTP and JetStream, on SQLite and PostgreSQL and the real NATS server: an agency's
own system takes its reviews from the stream and answers through the API; enterprises' webhooks
receive their own filings' events only, signed, retried with back-off, every attempt logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import nats
import pytest
from fastapi.testclient import TestClient

from kouan import agency_pull
from kouan.adapters import blocking
from kouan.bootstrap import service_context
from kouan.domain.agency import Agency, Decision
from kouan.services.platform import webhooks
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import Tokens, by_agency, error_field, file_call, notice_data
from tests.conftest import Clock
from tests.events import broker_context, outbox, receiver, relay, stream_messages

# Cargo totals that do not add up: customs refers the call to an officer.
TO_CUSTOMS = {"cargo": {"total_packages": 1}}


@pytest.fixture
def bctx(ctx: ServiceContext, nats_url: str) -> Iterator[ServiceContext]:
    with broker_context(ctx, nats_url) as context:
        yield context


@pytest.fixture
def bclient(bctx: ServiceContext) -> Iterator[TestClient]:
    """The app with a broker configured (its background relay runs too)."""
    with TestClient(create_app(bctx), raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def bauth(bclient: TestClient) -> Tokens:
    """Tokens of this test's own logins (on the app with a broker)."""
    return Tokens(bclient)


def _pull(ctx: ServiceContext, client: TestClient, auth: Tokens, agency: Agency) -> list:
    settings = ctx.settings
    assert settings.nats_url is not None

    def approve(event: dict[str, object]) -> tuple[Decision, str]:
        return Decision.APPROVE, ""

    return blocking.run(
        agency_pull.pull(
            settings.nats_url,
            settings.nats_stream,
            settings.nats_subject_prefix,
            agency,
            client,
            auth(agency.value.lower()),
            approve,
            wait_s=0.5,
        )
    )


def test_an_agency_system_takes_its_reviews_from_the_stream_and_answers_through_the_api(
    bctx: ServiceContext, bclient: TestClient, bauth: Tokens
) -> None:
    call = file_call(bclient, bauth, notice_data(bctx, **TO_CUSTOMS))
    customs = by_agency(call)["CUSTOMS"]
    assert customs["status"] == "pending" and call["entry_permit"] is None
    relay(bctx)
    answered = _pull(bctx, bclient, bauth, Agency.CUSTOMS)
    assert [(a.review_id, a.outcome) for a in answered] == [(customs["id"], "decided")]
    seen = bclient.get(f"/api/v1/port-calls/{call['id']}", headers=bauth("customs")).json()
    assert by_agency(seen)["CUSTOMS"]["status"] == "approved"
    assert seen["entry_permit"] is not None
    # The durable consumer remembers what was answered: nothing is taken twice.
    assert _pull(bctx, bclient, bauth, Agency.CUSTOMS) == []
    relay(bctx)
    kinds = [(m.subject.split(".", 2)[2], m.payload["type"]) for m in stream_messages(bctx)]
    assert kinds[-2:] == [
        ("CUSTOMS.review.decided", "review.decided"),
        ("PORT.permit.issued", "permit.issued"),
    ]


def test_a_review_decided_meanwhile_is_acknowledged_without_a_second_decision(
    bctx: ServiceContext, bclient: TestClient, bauth: Tokens
) -> None:
    call = file_call(bclient, bauth, notice_data(bctx, **TO_CUSTOMS))
    customs = by_agency(call)["CUSTOMS"]
    relay(bctx)
    officer = bclient.post(
        f"/api/v1/reviews/{customs['id']}/decision",
        json={"decision": "hold", "reason": "packages to count"},
        headers=bauth("customs"),
    )
    assert officer.status_code == 200, officer.text
    answered = _pull(bctx, bclient, bauth, Agency.CUSTOMS)
    assert [(a.outcome, a.status_code) for a in answered] == [("already_decided", 409)]
    seen = bclient.get(f"/api/v1/port-calls/{call['id']}", headers=bauth("customs")).json()
    assert by_agency(seen)["CUSTOMS"]["status"] == "hold"


def _register(client: TestClient, auth: Tokens, who: str, url: str) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url}, headers=auth(who))
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def _signed(secret: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers[webhooks.TIMESTAMP_HEADER]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(headers[webhooks.SIGNATURE_HEADER], f"sha256={expected.hexdigest()}")


def test_an_enterprise_receives_its_own_filings_events_signed_and_no_one_elses(
    bctx: ServiceContext, bclient: TestClient, bauth: Tokens
) -> None:
    with receiver() as (url, received), receiver() as (other_url, other_received):
        hook = _register(bclient, bauth, "agent", url)
        _register(bclient, bauth, "agent2", other_url)
        assert len(hook["secret"]) == 64
        call = file_call(bclient, bauth, notice_data(bctx))  # agent's, cleared at once
        relay(bctx)
        assert other_received.requests == []  # agent2 filed nothing: it hears nothing
        events = [json.loads(body) for _, body in received.requests]
        assert [e["type"] for e in events] == [
            "port_call.filed",
            *["review.opened"] * 4,
            "permit.issued",
        ]
        assert {e["subject"]["id"] for e in events} == {call["id"]}
        for headers, body in received.requests:
            assert _signed(hook["secret"], headers, body)
            assert headers[webhooks.EVENT_ID_HEADER] == json.loads(body)["id"]
        log = bclient.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=bauth("agent"))
        assert log.status_code == 200, log.text
        assert {d["status"] for d in log.json()} == {"delivered"}
        assert all(d["log"][0]["status_code"] == 200 for d in log.json())
    # Another enterprise cannot read the log (nor learn that the webhook exists).
    foreign = bclient.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=bauth("agent2"))
    assert foreign.status_code == 404
    assert bclient.get("/api/v1/webhooks", headers=bauth("agent2")).json()[0]["url"] == other_url


def test_a_failed_delivery_is_retried_with_back_off_and_every_attempt_logged(
    bctx: ServiceContext, bclient: TestClient, bauth: Tokens, clock: Clock
) -> None:
    with receiver() as (url, received):
        hook = _register(bclient, bauth, "agent", url)
        received.answers = [500] * 6 + [503] * 6  # the first two attempts of all six events
        file_call(bclient, bauth, notice_data(bctx))
        relay(bctx)
        assert len(received.requests) == 6
        relay(bctx)  # not due yet: nothing sent
        assert len(received.requests) == 6
        clock.advance(seconds=webhooks.FIRST_RETRY.total_seconds())
        relay(bctx)
        assert len(received.requests) == 12
        clock.advance(seconds=webhooks.FIRST_RETRY.total_seconds())  # the next waits twice
        relay(bctx)
        assert len(received.requests) == 12
        clock.advance(seconds=webhooks.FIRST_RETRY.total_seconds())
        relay(bctx)
        assert len(received.requests) == 18
        assert {r[0][webhooks.EVENT_ID_HEADER] for r in received.requests[12:]} == {
            r[0][webhooks.EVENT_ID_HEADER] for r in received.requests[:6]
        }
    log = bclient.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=bauth("agent")).json()
    assert len(log) == 6
    for delivery in log:
        assert delivery["status"] == "delivered" and delivery["attempts"] == 3
        assert [a["status_code"] for a in delivery["log"]] == [500, 503, 200]
        assert delivery["log"][0]["error"] == "HTTP 500"


def test_a_delivery_fails_after_the_last_attempt(
    bctx: ServiceContext, bclient: TestClient, bauth: Tokens, clock: Clock
) -> None:
    attempts = bctx.settings.webhook_max_attempts
    with receiver() as (url, received):
        hook = _register(bclient, bauth, "agent", url)
        received.answers = [500] * 1000
        file_call(bclient, bauth, notice_data(bctx))
        for _ in range(attempts + 1):
            relay(bctx)
            clock.advance(seconds=webhooks.LONGEST_WAIT.total_seconds())
        assert len(received.requests) == 6 * attempts
    log = bclient.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=bauth("agent")).json()
    assert {(d["status"], d["attempts"], d["next_attempt_at"]) for d in log} == {
        ("failed", attempts, None)
    }


def test_webhook_registration_is_checked(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    bad = client.post("/api/v1/webhooks", json={"url": "ftp://x.example"}, headers=auth("agent"))
    assert "http" in error_field(bad, 422, "url")["expected"]
    inside = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=auth("agent")
    )
    assert "private" in error_field(inside, 422, "url")["expected"]
    agency = client.post(
        "/api/v1/webhooks", json={"url": "https://ciq.example/hook"}, headers=auth("ciq")
    )
    assert agency.status_code == 403
    hook = _register(client, auth, "broker", "https://broker.example/kouan")
    assert "secret" not in client.get("/api/v1/webhooks", headers=auth("broker")).json()[0]
    other = client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth("broker2"))
    assert other.status_code == 404
    gone = client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth("broker"))
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert "/api/v1/webhooks/{webhook_id}/deliveries" in client.get("/openapi.json").json()["paths"]


def test_the_server_relays_in_the_background(bctx: ServiceContext, clock: Clock) -> None:
    settings = bctx.settings.model_copy(update={"outbox_relay_in_server": True})
    served = service_context(bctx.engine, settings, clock)
    with TestClient(create_app(served)) as client:
        file_call(client, Tokens(client), notice_data(served))
        deadline = time.monotonic() + 10
        while _published(served) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
    kinds = [m.payload["type"] for m in stream_messages(served)]
    assert kinds == ["port_call.filed", *["review.opened"] * 4, "permit.issued"]


def _published(ctx: ServiceContext) -> int:
    try:
        return len(stream_messages(ctx))
    except nats.js.errors.NotFoundError:  # the relay has not created the stream yet
        return 0


def test_filing_goes_on_while_the_broker_is_down(ctx: ServiceContext, clock: Clock) -> None:
    update = {"nats_url": "nats://127.0.0.1:9", "outbox_relay_in_server": True}
    served = service_context(ctx.engine, ctx.settings.model_copy(update=update), clock)
    started = time.monotonic()
    with TestClient(create_app(served)) as client:
        file_call(client, Tokens(client), notice_data(served))
    assert time.monotonic() - started < 10  # the relay, retrying meanwhile, stops promptly
    assert [e.published_at for e in outbox(served)] == [None] * 6
