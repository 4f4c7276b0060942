"""Who may call what, over HTTP: every organisation type of tests/conftest.py ORGS against every
endpoint of the port-call API, expectations written out below (not read from the app's own
permission table, so that a wrong permission there fails here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from kouan.services import portcalls
from kouan.services.unit_of_work import ServiceContext
from tests.api.conftest import (
    ALL_TO_OFFICERS,
    DONGJIAKOU,
    Tokens,
    by_agency,
    crew_paxlst,
    notice_data,
    position_report,
    stored_counts,
)
from tests.conftest import ORGS, People
from tests.factories import arrival_notice, departure_notice_data

WHO = (
    "agent",
    "agent2",
    "customs",
    "ciq",
    "border",
    "msa",
    "terminal",
    "port_office",
    "broker",
    "airline",
    "cruise",
)
# One row an endpoint, one column a person of WHO: the status each must get. 404: the object
# exists but lies outside the person's scope (another agent's call, another agency's review).
# The columns are the persons of WHO in order, abbreviated.
#                      agt  ag2  cus  ciq  bdr  msa  ter  pof  brk  air  cru
EXPECTED: dict[str, tuple[int, ...]] = {
    "file":           (201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "list":           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "get":            (200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "amend":          (200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "paxlst":         (200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "departure":      (201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "event":          (403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403),
    "reviews":        (403, 403, 200, 200, 200, 200, 403, 200, 403, 403, 403),
    "decide_customs": (403, 403, 200, 404, 404, 404, 403, 403, 403, 403, 403),
    "decide_ciq":     (403, 403, 404, 200, 404, 404, 403, 403, 403, 403, 403),
    "decide_border":  (403, 403, 404, 404, 200, 404, 403, 403, 403, 403, 403),
    "decide_msa":     (403, 403, 404, 404, 404, 200, 403, 403, 403, 403, 403),
    "ais":            (403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403),
    "call_trail":     (200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "review_trail":   (403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
}  # fmt: skip
ERROR_CODES = {403: "forbidden", 404: "not_found"}


@dataclass
class Scene:
    """Port calls the agent filed before the request under test, made on first use."""

    ctx: ServiceContext
    people: People

    @cached_property
    def cleared(self) -> dict[str, Any]:
        """Cleared by the rules at once: it can be amended, departed and reported on."""
        return self._file()

    @cached_property
    def referred(self) -> dict[str, Any]:
        """Every agency's review waiting for an officer."""
        return self._file(**ALL_TO_OFFICERS)

    def _file(self, **overrides: Any) -> dict[str, Any]:
        notice = arrival_notice(self.ctx.clock(), **overrides)
        status, call = portcalls.file_arrival(self.ctx, self.people["agent"], notice)
        assert status == 201
        return call

    def review(self, agency: str) -> int:
        review_id: int = by_agency(self.referred)[agency]["id"]
        return review_id


@dataclass(frozen=True)
class Call:
    """One HTTP request: method, path and httpx keyword arguments (body, extra headers)."""

    method: str
    path: str
    send: dict[str, Any] = field(default_factory=dict)


def _decide(agency: str) -> Callable[[Scene], Call]:
    def request(scene: Scene) -> Call:
        body = {"decision": "approve", "reason": "documents in order"}
        return Call("POST", f"/api/v1/reviews/{scene.review(agency)}/decision", {"json": body})

    return request


def _call_path(scene: Scene) -> str:
    return f"/api/v1/port-calls/{scene.cleared['id']}"


REQUESTS: dict[str, Callable[[Scene], Call]] = {
    "file": lambda s: Call("POST", "/api/v1/port-calls", {"json": notice_data(s.ctx)}),
    "list": lambda s: Call("GET", "/api/v1/port-calls"),
    "get": lambda s: Call("GET", _call_path(s)),
    "amend": lambda s: Call("PUT", _call_path(s), {"json": notice_data(s.ctx, berth="QQCT-5")}),
    "paxlst": lambda s: Call(
        "POST",
        f"{_call_path(s)}/paxlst",
        {"content": crew_paxlst(notice_data(s.ctx)["crew"][:2])},
    ),
    "departure": lambda s: Call(
        "POST", f"{_call_path(s)}/departure", {"json": departure_notice_data(s.ctx.clock())}
    ),
    "event": lambda s: Call(
        "POST",
        f"{_call_path(s)}/events",
        {"json": {"type": "ATA", "at": s.ctx.clock().isoformat()}},
    ),
    "reviews": lambda s: Call("GET", "/api/v1/reviews?status=open"),
    "decide_customs": _decide("CUSTOMS"),
    "decide_ciq": _decide("CIQ"),
    "decide_border": _decide("BORDER"),
    "decide_msa": _decide("MSA"),
    "ais": lambda s: Call(
        "POST",
        "/api/v1/ais",
        {
            "content": position_report("412345678", *DONGJIAKOU),
            "headers": {"Content-Type": "text/plain"},
        },
    ),
    "call_trail": lambda s: Call("GET", f"/api/v1/audit/port_call/{s.cleared['id']}"),
    "review_trail": lambda s: Call("GET", f"/api/v1/audit/review/{s.review('CIQ')}"),
}
CASES = [
    (endpoint, who, EXPECTED[endpoint][i]) for endpoint in EXPECTED for i, who in enumerate(WHO)
]


def _send(client: TestClient, call: Call, headers: dict[str, str]) -> httpx.Response:
    send = dict(call.send)
    send["headers"] = send.get("headers", {}) | headers
    return client.request(call.method, call.path, **send)


def test_the_table_covers_every_organisation_and_endpoint() -> None:
    assert set(WHO) == set(ORGS)
    assert set(EXPECTED) == set(REQUESTS)
    assert all(len(row) == len(WHO) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("endpoint", "who", "status"), CASES, ids=[f"{e}-{w}-{s}" for e, w, s in CASES]
)
def test_permission_matrix(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    people: People,
    endpoint: str,
    who: str,
    status: int,
) -> None:
    call = REQUESTS[endpoint](Scene(ctx, people))
    before = stored_counts(ctx)
    response = _send(client, call, auth(who))
    assert response.status_code == status, response.text
    if status in ERROR_CODES:
        assert response.json()["error"]["code"] == ERROR_CODES[status]
        assert stored_counts(ctx) == before, "a refused request stored something"


def _token(ctx: ServiceContext, people: People, kind: str) -> str | None:
    """A token that must not let anyone in, or None for no Authorization header."""
    now = datetime.now(UTC)
    agent = {"sub": str(people["agent"].user_id), "iat": now, "exp": now + timedelta(hours=1)}
    secret = ctx.settings.secret_key
    tokens: dict[str, str | None] = {
        "none": None,
        "garbage": "not-a-token",
        "forged": jwt.encode(agent, "another-secret-" + "y" * 32, algorithm="HS256"),
        "expired": jwt.encode(
            agent | {"exp": now - timedelta(minutes=1)}, secret, algorithm="HS256"
        ),
        "unsigned": jwt.encode(agent, None, algorithm="none"),
        "no-such-user": jwt.encode(agent | {"sub": "987654"}, secret, algorithm="HS256"),
    }
    return tokens[kind]


# Every endpoint without a token; every bad token on a read and on a write (one dependency
# checks the token for all routes, so each kind need not meet each endpoint).
UNAUTHENTICATED = [(endpoint, "none") for endpoint in REQUESTS] + [
    (endpoint, kind)
    for endpoint in ("get", "decide_customs")
    for kind in ("garbage", "forged", "expired", "unsigned", "no-such-user")
]


@pytest.mark.parametrize(("endpoint", "kind"), UNAUTHENTICATED)
def test_no_valid_token_is_401(
    client: TestClient, ctx: ServiceContext, people: People, endpoint: str, kind: str
) -> None:
    call = REQUESTS[endpoint](Scene(ctx, people))
    token = _token(ctx, people, kind)
    before = stored_counts(ctx)
    response = _send(client, call, {"Authorization": f"Bearer {token}"} if token else {})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "not_authenticated"
    assert stored_counts(ctx) == before


def test_401_tells_the_client_to_send_a_bearer_token(client: TestClient) -> None:
    """RFC 6750 section 3: a 401 carries WWW-Authenticate naming the Bearer scheme."""
    response = client.get("/api/v1/port-calls")
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").startswith("Bearer")


def test_a_wrong_password_is_401(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": "customs", "password": "wrong-horse-9"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_lists_are_scoped(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People
) -> None:
    scene = Scene(ctx, people)
    own = scene.referred["id"]
    response = client.post("/api/v1/port-calls", json=notice_data(ctx), headers=auth("agent2"))
    assert response.status_code == 201, response.text
    other = response.json()["id"]

    def seen(path: str, who: str) -> list[dict[str, Any]]:
        answer = client.get(path, headers=auth(who))
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()
        return items

    assert [c["id"] for c in seen("/api/v1/port-calls", "agent")] == [own]
    assert [c["id"] for c in seen("/api/v1/port-calls", "agent2")] == [other]
    assert sorted(c["id"] for c in seen("/api/v1/port-calls", "terminal")) == sorted([own, other])
    assert {r["agency"] for r in seen("/api/v1/reviews", "border")} == {"BORDER"}
    office = seen("/api/v1/reviews?status=open", "port_office")
    assert sorted(r["agency"] for r in office) == ["BORDER", "CIQ", "CUSTOMS", "MSA"]
