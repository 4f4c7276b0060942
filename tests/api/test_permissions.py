"""Who may call what, over HTTP: every organisation type of tests/conftest.py ORGS against every
endpoint of the port-call and cargo APIs, expectations written out below (not read from the app's
own permission table, so that a wrong permission there fails here)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from kouan.adapters.cusdec import write_cusdec
from kouan.services.cargo import declarations, queries, risk_rules, traders
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
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
from tests.factories import (
    TRADERS,
    arrival_notice,
    declaration,
    declaration_data,
    declaration_item,
    departure_notice_data,
)

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
    "broker2",
    "airline",
    "cruise",
)
# One row an endpoint, one column a person of WHO: the status each must get. 404: the object
# exists but lies outside the person's scope (another agent's call, another agency's review,
# another broker's declaration, a declaration not routed to CIQ or not released for the terminal).
# The columns are the persons of WHO in order, abbreviated.
#                      agt  ag2  cus  ciq  bdr  msa  ter  pof  brk  br2  air  cru
EXPECTED: dict[str, tuple[int, ...]] = {
    "file":           (201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "list":           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "get":            (200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404),
    "amend":          (200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "paxlst":         (200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "departure":      (201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "event":          (403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    "reviews":        (403, 403, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403),
    "decide_customs": (403, 403, 200, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    "decide_ciq":     (403, 403, 404, 200, 404, 404, 403, 403, 403, 403, 403, 403),
    "decide_border":  (403, 403, 404, 404, 200, 404, 403, 403, 403, 403, 403, 403),
    "decide_msa":     (403, 403, 404, 404, 404, 200, 403, 403, 403, 403, 403, 403),
    "ais":            (403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    "call_trail":     (200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404),
    "review_trail":   (403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    # Cargo declarations; "released" is the broker's green one, "routed" its one on CIQ's list.
    "declare":        (403, 403, 403, 403, 403, 403, 403, 403, 201, 201, 403, 403),
    "cusdec":         (403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403),
    "declarations":   (403, 403, 200, 200, 403, 403, 200, 200, 200, 200, 403, 403),
    "released":       (403, 403, 200, 404, 403, 403, 200, 200, 200, 404, 403, 403),
    "routed":         (403, 403, 200, 200, 403, 403, 404, 200, 200, 404, 403, 403),
    "cusres":         (403, 403, 200, 404, 403, 403, 200, 200, 200, 404, 403, 403),
    "cusres_poll":    (403, 403, 200, 200, 403, 403, 200, 200, 200, 200, 403, 403),
    "gate_out":       (403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    "seizure":        (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "cargo_queue":    (403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    "clearance":      (403, 403, 200, 403, 403, 403, 403, 200, 200, 200, 403, 403),
    "decide_cargo":   (403, 403, 200, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    "decide_cargo_ciq": (403, 403, 404, 200, 404, 404, 403, 403, 403, 403, 403, 403),
    # Risk rules
    "risk_versions":  (403, 403, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    "risk_active":    (403, 403, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    "risk_version":   (403, 403, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    "risk_test":      (403, 403, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    "risk_draft":     (403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "risk_save":      (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "risk_add":       (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "risk_remove":    (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "risk_activate":  (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # Inspections: an agency records its own inspections' results.
    "schedule":       (403, 403, 200, 200, 403, 403, 403, 200, 403, 403, 403, 403),
    "inspection":     (403, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "capacity":       (403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    # Traders and exchange rates: customs keeps them; brokers and the port office read them.
    "traders":        (403, 403, 200, 403, 403, 403, 403, 200, 200, 200, 403, 403),
    "trader":         (403, 403, 200, 403, 403, 403, 403, 200, 200, 200, 403, 403),
    "register":       (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "rates":          (403, 403, 200, 403, 403, 403, 403, 200, 200, 200, 403, 403),
    "set_rate":       (403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # The agencies' rule sets: each agency publishes its own (here CIQ's legal-inspection list).
    "rule_sets":      (403, 403, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403),
    "publish_ciq":    (403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403),
}  # fmt: skip
ERROR_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}


_SCENES = itertools.count(1)


@dataclass
class Scene:
    """Port calls and declarations filed before the request under test, made on first use; the
    declarations' references are the scene's own, so that scenes can share a database."""

    ctx: ServiceContext
    people: People
    tag: int = field(default_factory=lambda: next(_SCENES))

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

    @cached_property
    def registered(self) -> bool:
        """The traders of tests.factories.TRADERS, registered by customs on first use."""
        for code, (name, credit_class) in TRADERS.items():
            checked = traders.checked(code, name, credit_class)
            traders.register(self.ctx, self.people["customs"], checked)
        return True

    def _declare(self, **overrides: Any) -> dict[str, Any]:
        assert self.registered
        filed = declaration(**overrides)
        status, view = declarations.file_declaration(self.ctx, self.people["broker"], filed)
        assert status == 201
        return view

    def reference(self, name: str) -> str:
        return f"P{self.tag}-{name}"

    @cached_property
    def released(self) -> dict[str, Any]:
        """The broker's declaration for an AA-class trader: green, released at filing."""
        view = self._declare(reference=self.reference("AA"), trader="3702960001")
        assert view["status"] == "released"
        return view

    @cached_property
    def routed(self) -> dict[str, Any]:
        """The broker's declaration of goods on CIQ's list: customs and CIQ both review it."""
        beef = declaration_item(hs_code="020130", unit="KGM", value="90000")
        return self._declare(reference=self.reference("MEAT"), trader="3702960001", items=[beef])

    @cached_property
    def inspected(self) -> dict[str, Any]:
        """The broker's declaration for a D-class trader: customs' inspection booked."""
        view = self._declare(reference=self.reference("D"), trader="3702960005")
        return queries.get_declaration(self.ctx, self.people["customs"], view["id"])

    @cached_property
    def draft(self) -> int:
        version: int = risk_rules.create_draft(self.ctx, self.people["customs"])["version"]
        return version

    def cargo_review(self, agency: str) -> int:
        review_id: int = by_agency(self.routed, "cargo")[agency]["id"]
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


def _declaration_path(scene: Scene) -> str:
    return f"/api/v1/declarations/{scene.released['id']}"


def _cusdec(scene: Scene) -> Call:
    assert scene.registered
    filed = [declaration(reference=scene.reference("CUSDEC"))]
    text = write_cusdec(filed, "BROKER", "KOUAN", "P1", scene.ctx.clock())
    headers = {"Content-Type": "application/edifact"}
    return Call("POST", "/api/v1/declarations/cusdec", {"content": text, "headers": headers})


def _declare(scene: Scene) -> Call:
    assert scene.registered
    body = declaration_data(reference=scene.reference("FILE"))
    return Call("POST", "/api/v1/declarations", {"json": body})


def _decide_cargo(agency: str) -> Callable[[Scene], Call]:
    def request(scene: Scene) -> Call:
        body = {"decision": "approve", "reason": "documents in order"}
        path = f"/api/v1/reviews/{scene.cargo_review(agency)}/decision"
        return Call("POST", path, {"json": body})

    return request


def _inspection_result(scene: Scene) -> Call:
    [booked] = scene.inspected["inspections"]
    body = {"result": "pass", "finding": "as declared"}
    return Call("POST", f"/api/v1/inspections/{booked['id']}/result", {"json": body})


def _risk(scene: Scene, method: str, tail: str = "", **send: Any) -> Call:
    return Call(method, f"/api/v1/risk-rules/{scene.draft}{tail}", send)


RULE = {
    "code": "P-RULE",
    "title": "watched",
    "lane": "document",
    "kind": "origin",
    "values": ["IR"],
}


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
    "declare": _declare,
    "cusdec": _cusdec,
    "declarations": lambda s: Call("GET", "/api/v1/declarations"),
    "released": lambda s: Call("GET", _declaration_path(s)),
    "routed": lambda s: Call("GET", f"/api/v1/declarations/{s.routed['id']}"),
    "cusres": lambda s: Call("GET", f"{_declaration_path(s)}/cusres"),
    "gate_out": lambda s: Call("POST", f"{_declaration_path(s)}/gate-out"),
    "seizure": lambda s: Call(
        "POST", f"/api/v1/declarations/{s.routed['id']}/seizure", {"json": {"reason": "tip-off"}}
    ),
    "cargo_queue": lambda s: Call("GET", "/api/v1/declaration-queue"),
    "clearance": lambda s: Call("GET", "/api/v1/clearance-times"),
    "decide_cargo": _decide_cargo("CUSTOMS"),
    "decide_cargo_ciq": _decide_cargo("CIQ"),
    "risk_versions": lambda s: Call("GET", "/api/v1/risk-rules"),
    "risk_active": lambda s: Call("GET", "/api/v1/risk-rules/active"),
    "risk_version": lambda s: Call("GET", "/api/v1/risk-rules/1"),
    "risk_test": lambda s: Call("POST", "/api/v1/risk-rules/1/test?last=10"),
    "risk_draft": lambda s: Call("POST", "/api/v1/risk-rules/drafts", {"json": {"note": "n"}}),
    "risk_save": lambda s: _risk(s, "PUT", json={"rules": [RULE], "random_rates": {}, "seed": 1}),
    "risk_add": lambda s: _risk(s, "POST", "/rules", json=RULE),
    "risk_remove": lambda s: _risk(s, "DELETE", "/rules/CC-AA"),
    "risk_activate": lambda s: _risk(s, "POST", "/activate"),
    "schedule": lambda s: Call("GET", "/api/v1/inspections/schedule?site=CNTAO"),
    "inspection": _inspection_result,
    "capacity": lambda s: Call(
        "PUT",
        "/api/v1/inspections/capacity",
        {"json": {"site": "CNTAO", "day": "2026-11-30", "capacity": 12}},
    ),
    "traders": lambda s: Call("GET", "/api/v1/traders"),
    "trader": lambda s: Call("GET", "/api/v1/traders/3702960003" if s.registered else ""),
    "register": lambda s: Call(
        "PUT", "/api/v1/traders/3702960009", {"json": {"name": "Rizhao Ores", "credit_class": "B"}}
    ),
    "rates": lambda s: Call("GET", "/api/v1/exchange-rates"),
    "set_rate": lambda s: Call(
        "PUT", "/api/v1/exchange-rates/USD", {"json": {"cny_per_unit": 7.2}}
    ),
    "rule_sets": lambda s: Call("GET", "/api/v1/rule-sets"),
    "cusres_poll": lambda s: Call("GET", "/api/v1/cusres?since=2026-01-01T00:00:00%2B00:00"),
    "publish_ciq": lambda s: Call(
        "POST", "/api/v1/rule-sets/CIQ", {"json": {"params": {"legal_inspection": ["02"]}}}
    ),
}


def _send(client: TestClient, call: Call, headers: dict[str, str]) -> httpx.Response:
    send = dict(call.send)
    send["headers"] = send.get("headers", {}) | headers
    return client.request(call.method, call.path, **send)


def test_the_table_covers_every_organisation_and_endpoint() -> None:
    assert set(WHO) == set(ORGS)
    assert set(EXPECTED) == set(REQUESTS)
    assert all(len(row) == len(WHO) for row in EXPECTED.values())


@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_permission_matrix(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People, endpoint: str
) -> None:
    """Every person of WHO against one endpoint. Reads and refusals change nothing (checked), so
    they share one scene; a write that succeeds comes after them, on a scene of its own, so each
    person meets the state its request expects."""
    expected = dict(zip(WHO, EXPECTED[endpoint], strict=True))
    shared = Scene(ctx, people)
    method = REQUESTS[endpoint](shared).method

    def writes(who: str) -> bool:
        return method != "GET" and expected[who] < 300

    wrong = []
    for who in sorted(WHO, key=writes):
        call = REQUESTS[endpoint](Scene(ctx, people) if writes(who) else shared)
        before = stored_counts(ctx)
        response = _send(client, call, auth(who))
        problem = _unexpected(response, expected[who], stored_counts(ctx) != before)
        if problem:
            wrong.append((who, expected[who], response.status_code, problem))
    assert wrong == []


def _unexpected(response: httpx.Response, status: int, stored: bool) -> str | None:
    """What is wrong with the answer to a request that should get `status`, or None."""
    if response.status_code != status:
        return response.text[:300]
    if status in ERROR_CODES and response.json()["error"]["code"] != ERROR_CODES[status]:
        return response.text[:300]
    if status in ERROR_CODES and stored:
        return "a refused request stored something"
    return None


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


def test_no_token_is_401_on_every_endpoint(
    client: TestClient, ctx: ServiceContext, people: People
) -> None:
    scene = Scene(ctx, people)
    wrong = []
    for endpoint, request in REQUESTS.items():
        call = request(scene)
        before = stored_counts(ctx)
        response = _send(client, call, {})
        problem = _unexpected(response, 401, stored_counts(ctx) != before)
        if problem:
            wrong.append((endpoint, response.status_code, problem))
    assert wrong == []


# Every bad token on reads and writes (one dependency checks the token for all routes, so each
# kind need not meet each endpoint).
UNAUTHENTICATED = [
    (endpoint, kind)
    for endpoint in ("get", "decide_customs", "released", "declare")
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
