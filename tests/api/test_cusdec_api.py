"""A broker's CUSDEC interchange over HTTP, on SQLite and PostgreSQL: every declaration answered in
the CUSRES (accepted with its lane, or rejected naming message, item and field), the good ones
stored and the bad ones not, a broken envelope refusing the whole interchange, and an interchange
sent twice filing nothing new."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kouan.adapters.cusdec import CusresResponse, parse_cusres, write_cusdec
from kouan.domain.declaration import Declaration
from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import Tokens
from tests.api.test_declarations_api import (
    CLASS_C,
    CLASS_D,
    DECLARATIONS,
    cargo_counts,
    fetch,
    register_traders,
)
from tests.conftest import Clock
from tests.factories import declaration, declaration_item

CUSDEC = f"{DECLARATIONS}/cusdec"
UNKNOWN_TRADER = "3702999998"


@pytest.fixture
def traders(client: TestClient, auth: Tokens) -> None:
    register_traders(client, auth)


def interchange(clock: Clock, *declarations: Declaration, control_ref: str = "KB0001") -> str:
    return write_cusdec(list(declarations), "QDBROKER01", "KOUAN", control_ref, clock.now)


def in_message(text: str, number: int, old: str, new: str) -> str:
    """`old` replaced by `new` once, in the interchange's message `number` only."""
    head, *messages = text.split("UNH+")
    assert messages[number - 1].count(old) == 1, old
    messages[number - 1] = messages[number - 1].replace(old, new)
    return "UNH+".join([head, *messages])


def mixed(clock: Clock) -> str:
    """Four declarations: green, unknown trader, HS code 847199 (no such subheading), document."""
    text = interchange(
        clock,
        declaration(reference="KB-1"),
        declaration(reference="KB-2", trader=UNKNOWN_TRADER),
        declaration(reference="KB-3", items=[declaration_item(), declaration_item()]),
        declaration(reference="KB-4", **CLASS_C),
    )
    return in_message(text, 3, "CST+2+610910:HS:ZZZ", "CST+2+847199:HS:ZZZ")


def send(
    client: TestClient, auth: Tokens, text: str, who: str = "broker", accept: str | None = None
) -> httpx.Response:
    headers = auth(who) | {"Content-Type": "application/edifact"}
    if accept:
        headers["Accept"] = accept
    return client.post(CUSDEC, content=text.encode(), headers=headers)


def answered(response: httpx.Response) -> list[CusresResponse]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edifact")
    return parse_cusres(response.text)


def errors_of(answer: CusresResponse) -> list[tuple[str, object]]:
    return [(e.field, e.value) for e in answer.errors]


def test_each_declaration_of_an_interchange_is_answered(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    before = cargo_counts(ctx)["declarations"]
    answers = answered(send(client, auth, mixed(clock)))
    assert [a.message_ref for a in answers] == ["1", "2", "3", "4"]
    assert [a.reference for a in answers] == ["KB-1", "KB-2", "KB-3", "KB-4"]
    green, unknown, bad_hs, document = answers
    assert (green.status, green.lane, green.errors) == ("released", "green", [])
    assert (document.status, document.lane, document.errors) == ("under_review", "document", [])
    assert green.at == document.at == clock.now
    for rejected in (unknown, bad_hs):
        assert (rejected.status, rejected.lane, rejected.declaration_id) == ("rejected", None, None)
    assert errors_of(unknown) == [("message 2 trader", UNKNOWN_TRADER)]
    assert errors_of(bad_hs) == [("message 3 items[1].hs_code", "847199")]
    assert all(e.expected for e in unknown.errors + bad_hs.errors)
    # The accepted ones are stored whole, as filed from a CUSDEC; nothing of the others.
    assert cargo_counts(ctx)["declarations"] == before + 2
    for answer in (green, document):
        assert answer.declaration_id is not None
        stored = fetch(client, auth, f"{DECLARATIONS}/{answer.declaration_id}", "broker")
        assert (stored["reference"], stored["source"]) == (answer.reference, "cusdec")
        assert (stored["status"], stored["lane"]) == (answer.status, answer.lane)
    listed = fetch(client, auth, f"{DECLARATIONS}?q=KB-", "broker")
    assert sorted(d["reference"] for d in listed) == ["KB-1", "KB-4"]


def test_the_answer_is_json_when_the_client_accepts_it(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    response = send(client, auth, mixed(clock), accept="application/json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert (body["control_ref"], body["messages"], body["accepted"], body["rejected"]) == (
        "KB0001",
        4,
        2,
        2,
    )
    summary = {d["reference"]: d for d in body["declarations"]}
    assert (summary["KB-1"]["status"], summary["KB-1"]["lane"]) == ("released", "green")
    assert (summary["KB-4"]["status"], summary["KB-4"]["lane"]) == ("under_review", "document")
    assert [e["field"] for e in summary["KB-2"]["errors"]] == ["message 2 trader"]
    assert summary["KB-3"]["errors"][0]["field"] == "message 3 items[1].hs_code"
    assert summary["KB-3"]["errors"][0]["value"] == "847199"
    assert {d["id"] for d in body["declarations"] if d["id"]} == {
        d["id"] for d in fetch(client, auth, DECLARATIONS, "broker")
    }
    # The CUSRES inside says the same.
    inside = parse_cusres(body["cusres"])
    assert [(a.reference, a.status, a.declaration_id) for a in inside] == [
        (d["reference"], d["status"], d["id"]) for d in body["declarations"]
    ]
    assert cargo_counts(ctx)["declarations"] == 2


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text.replace("UNB+", "UNX+", 1),
        lambda text: text[: text.index("UNZ+")],
        lambda text: text.replace("UNZ+2+", "UNZ+5+", 1),
        lambda text: text[: len(text) // 2].rstrip("'\n"),
        lambda text: "not an interchange at all",
        lambda text: "",
    ],
    ids=["no-unb", "no-unz", "unz-miscounts", "cut-mid-segment", "not-edifact", "empty"],
)
def test_a_broken_envelope_refuses_the_whole_interchange(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock, spoil: Any
) -> None:
    text = interchange(clock, declaration(reference="ENV-1"), declaration(reference="ENV-2"))
    before = cargo_counts(ctx)
    response = send(client, auth, spoil(text))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["fields"]
    assert error["fields"][0]["field"] in error["message"]
    assert cargo_counts(ctx) == before


def test_an_interchange_sent_twice_files_nothing_new(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    text = mixed(clock)
    first = answered(send(client, auth, text))
    before = cargo_counts(ctx)
    clock.advance(minutes=10)
    again = answered(send(client, auth, text))
    assert [a.status for a in again] == ["rejected"] * 4
    assert errors_of(again[0]) == [("message 1 reference", "KB-1")]
    assert errors_of(again[3]) == [("message 4 reference", "KB-4")]
    # Refused before for other reasons, refused again for the same ones (and now the reference).
    assert ("message 2 trader", UNKNOWN_TRADER) in errors_of(again[1])
    assert errors_of(again[2]) == errors_of(first[2])
    assert cargo_counts(ctx)["declarations"] == before["declarations"]
    assert cargo_counts(ctx)["reviews"] == before["reviews"]


def test_a_reference_repeated_inside_an_interchange_is_filed_once(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    text = interchange(
        clock, declaration(reference="DUP-1"), declaration(reference="DUP-1", **CLASS_D)
    )
    first, second = answered(send(client, auth, text))
    assert (first.status, first.lane) == ("released", "green")
    assert (second.status, errors_of(second)) == ("rejected", [("message 2 reference", "DUP-1")])
    assert cargo_counts(ctx)["declarations"] == 1


def test_a_broken_message_is_refused_while_the_others_are_filed(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    text = interchange(
        clock,
        declaration(reference="MSG-1"),
        declaration(reference="MSG-2"),
        declaration(reference="MSG-3", **CLASS_D),
    )
    text = in_message(text, 2, "QTY+47:1000:PCE", "QTY+47:-5:PCE")
    text = in_message(text, 3, "MOA+38:4500:USD", "MOA+38:lots:USD")
    first, second, third = answered(send(client, auth, text))
    assert (first.status, first.declaration_id is not None) == ("released", True)
    assert second.status == "rejected"
    assert [f for f, _ in errors_of(second)] == ["message 2 items[0].quantity"]
    assert third.status == "rejected"
    assert errors_of(third) == [("message 3 items[0].value", "lots")]
    assert cargo_counts(ctx)["declarations"] == 1
    # The one booked inspection would belong to message 3: none was booked.
    assert cargo_counts(ctx)["inspections"] == 0


def test_only_a_broker_may_send_an_interchange(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    text = interchange(clock, declaration(reference="PERM-1"))
    before = cargo_counts(ctx)
    for who in ("customs", "terminal", "agent"):
        response = send(client, auth, text, who)
        assert response.status_code == 403, (who, response.text)
    assert client.post(CUSDEC, content=text.encode()).status_code == 401
    assert cargo_counts(ctx) == before
