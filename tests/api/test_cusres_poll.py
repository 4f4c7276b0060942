"""A broker's system polls for CUSRES answers: every declaration that changed since its last poll,
as it stands now (lane at filing, release later), in pages that a batch filed at one instant
cannot break."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from kouan.adapters.cusdec import parse_cusres, write_cusdec
from tests.api.conftest import Tokens
from tests.api.test_declarations_api import CLASS_C, register_traders
from tests.conftest import Clock
from tests.factories import declaration

EPOCH = "2026-01-01T00:00:00+00:00"


def _poll(
    client: TestClient, auth: Tokens, since: str, after_id: int = 0, who: str = "broker"
) -> httpx.Response:
    params: dict[str, str | int] = {"since": since, "after_id": after_id}
    answer = client.get("/api/v1/cusres", params=params, headers=auth(who))
    assert answer.status_code == 200, answer.text
    return answer


def test_a_poll_answers_what_changed_and_the_next_poll_only_what_changed_after(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    register_traders(client, auth)
    text = write_cusdec(
        [declaration(reference="P-1"), declaration(reference="P-2", **CLASS_C)],
        "QDBROKER01",
        "KOUAN",
        "P0001",
        clock.now,
    )
    sent = client.post(
        "/api/v1/declarations/cusdec",
        content=text.encode(),
        headers=auth("broker") | {"Content-Type": "application/edifact"},
    )
    assert sent.status_code == 200, sent.text
    first = _poll(client, auth, EPOCH)
    answers = {r.reference: r for r in parse_cusres(first.text)}
    assert {ref: (a.status, a.lane) for ref, a in answers.items()} == {
        "P-1": ("released", "green"),
        "P-2": ("under_review", "document"),
    }
    since, after = first.headers["X-Kouan-Next-Since"], int(first.headers["X-Kouan-Next-After-Id"])
    assert _poll(client, auth, since, after).headers["X-Kouan-Count"] == "0"
    # Customs releases the document-lane one: the next poll carries exactly that change.
    review = client.get(
        f"/api/v1/declarations/{answers['P-2'].declaration_id}", headers=auth("customs")
    ).json()["reviews"][0]
    clock.advance(minutes=20)
    decided = client.post(
        f"/api/v1/reviews/{review['id']}/decision",
        json={"decision": "approve", "reason": ""},
        headers=auth("customs"),
    )
    assert decided.status_code == 200, decided.text
    later = parse_cusres(_poll(client, auth, since, after).text)
    assert [(r.reference, r.status) for r in later] == [("P-2", "released")]
    # Another broker's poll holds none of them.
    assert _poll(client, auth, EPOCH, who="broker2").headers["X-Kouan-Count"] == "0"


def test_pages_of_one_instant_are_walked_by_id(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    register_traders(client, auth)
    refs = [f"B-{n}" for n in range(3)]
    text = write_cusdec(
        [declaration(reference=r) for r in refs], "QDBROKER01", "KOUAN", "B0001", clock.now
    )
    client.post(
        "/api/v1/declarations/cusdec",
        content=text.encode(),
        headers=auth("broker") | {"Content-Type": "application/edifact"},
    )
    whole = parse_cusres(_poll(client, auth, EPOCH).text)
    ids = sorted(r.declaration_id for r in whole if r.declaration_id)
    # Resuming inside the batch's one instant gives the rest, by id.
    since = _poll(client, auth, EPOCH).headers["X-Kouan-Next-Since"]
    rest = parse_cusres(_poll(client, auth, since, after_id=ids[0]).text)
    assert sorted(r.declaration_id for r in rest) == ids[1:]


def test_a_poll_needs_a_time_with_its_offset(client: TestClient, auth: Tokens) -> None:
    refused = client.get(
        "/api/v1/cusres", params={"since": "2026-11-27T08:00:00"}, headers=auth("broker")
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "since"
