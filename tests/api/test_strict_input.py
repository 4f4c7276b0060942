"""Strict input over HTTP: impossible values (NUL, unpaired surrogates, times outside 2000-2099,
a birth date in the future, a number for a date, true for a number) answer 422 naming the field,
on every database, and nothing is stored; no input answers 5xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kouan.adapters.db.tables import AuditEntry, DeclarationRow, PortCall
from kouan.domain import values
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import (
    Tokens,
    crew_paxlst,
    error_field,
    file_call,
    notice_data,
)
from tests.api.test_declarations_api import DECLARATIONS, register_traders
from tests.api.test_pages import (
    arrival_form,
    post_form,
    signed_in,
    submit_arrival,
    text_of,
    token_of,
)
from tests.conftest import PASSWORD, Clock
from tests.factories import crew_data, declaration_data, departure_notice_data

PORT_CALLS = "/api/v1/port-calls"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_NUMBER_TEXT = re.compile(r"^\d+(\.\d+)?$")


def kept(ctx: ServiceContext) -> tuple[int, int, int]:
    """Port calls, declarations and audit entries of them (not of logins, nor of the audit log's
    own bookkeeping)."""
    own = AuditEntry.action.like("user.%") | AuditEntry.action.like("audit.%")
    with ctx.sessions() as session:
        calls = session.scalar(select(func.count()).select_from(PortCall))
        declarations = session.scalar(select(func.count()).select_from(DeclarationRow))
        entries = session.scalar(select(func.count()).where(~own).select_from(AuditEntry))
    return calls or 0, declarations or 0, entries or 0


@pytest.fixture
def stored(ctx: ServiceContext) -> Iterator[None]:
    """Fails the test if the database gained a port call, a declaration or an audit entry."""
    before = kept(ctx)
    yield
    assert kept(ctx) == before


@pytest.fixture
def probe(ctx: ServiceContext, auth: Tokens) -> Iterator[TestClient]:
    """The app answering 500 instead of raising, so that the scan reports every bad answer."""
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield client


def _post_json(client: TestClient, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    """POST `body` as JSON text the way any client may write it: unpaired surrogates escaped."""
    text = json.dumps(body)  # ensure_ascii: "\ud800" goes as its escape, as JavaScript sends it
    return client.post(path, content=text, headers=headers | {"Content-Type": "application/json"})


# --- 1. NUL ------------------------------------------------------------------------------------


def test_a_nul_in_the_ship_name_is_refused_naming_it(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx, ship={"name": "EVER\x00DIADEM"})
    response = _post_json(client, PORT_CALLS, notice, auth("agent"))
    named = error_field(response, 422, "ship.name")
    assert named["value"] == "EVER\x00DIADEM" and "NUL" in named["expected"]


def test_a_nul_in_the_search_words_is_refused_naming_q(client: TestClient, auth: Tokens) -> None:
    response = client.get(f"{DECLARATIONS}?q=%00", headers=auth("customs"))
    named = error_field(response, 422, "q")
    assert named["value"] == "\x00" and "NUL" in named["expected"]


def test_a_nul_in_the_username_at_login_is_refused_naming_it(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": "agent\x00", "password": PASSWORD}
    )
    assert "NUL" in error_field(response, 422, "username")["expected"]


def test_a_nul_in_the_login_form_shows_the_error_page(ctx: ServiceContext) -> None:
    browser = TestClient(create_app(ctx), raise_server_exceptions=False)
    form = browser.get("/login?lang=en")
    answer = browser.post(
        "/login",
        data={"username": "agent\x00", "password": PASSWORD, "csrf_token": token_of(form)},
    )
    assert answer.status_code == 422, answer.text
    assert 'data-testid="error-page"' in answer.text and "Traceback" not in answer.text
    assert "username" in text_of(answer, "error-message")
    assert "Text without NUL characters." in text_of(answer, "error-message")


def test_a_nul_in_a_page_form_field_is_refused_in_chinese(
    ctx: ServiceContext, clock: Clock, stored: None
) -> None:
    browser = signed_in(ctx, "agent")
    answer = submit_arrival(browser, arrival_form(clock.now, **{"ship.name": "EVER\x00"}))
    assert answer.status_code == 422, answer.text
    message = text_of(answer, "error-message")
    assert "ship.name" in message and "不含 NUL 字符的文本。" in message


def test_a_nul_in_the_declaration_list_search_is_refused_on_the_page(ctx: ServiceContext) -> None:
    answer = signed_in(ctx, "customs").get("/declarations?q=%00")
    assert answer.status_code == 422 and 'data-testid="error-page"' in answer.text
    assert text_of(answer, "error-message").startswith("q ")


def test_a_nul_in_a_path_parameter_is_refused_naming_it(client: TestClient, auth: Tokens) -> None:
    response = client.get("/api/v1/traders/37029600%0003", headers=auth("customs"))
    assert error_field(response, 422, "code")["value"] == "37029600\x0003"
    response = client.delete("/api/v1/risk-rules/1/rules/R%00X", headers=auth("customs"))
    assert "NUL" in error_field(response, 422, "code")["expected"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("WANG", "WA\x00NG", "person 1 family_name"),
        ("UNB+UNOC:4+PENAVICO", "UNB+UNOC:4+PENA\x00VICO", ""),
        ("+0521-012W", "+0521\x00-012W", ""),
    ],
    ids=["name", "sender", "voyage"],
)
def test_a_nul_in_a_paxlst_is_refused_or_ignored_never_a_5xx(
    probe: TestClient, auth: Tokens, ctx: ServiceContext, old: str, new: str, field: str
) -> None:
    call = file_call(probe, auth, notice_data(ctx))
    text = crew_paxlst(crew_data(ctx.clock()))
    assert old in text
    response = probe.post(
        f"{PORT_CALLS}/{call['id']}/paxlst",
        content=text.replace(old, new, 1).encode(),
        headers=auth("agent") | {"Content-Type": "application/edifact"},
    )
    assert response.status_code in {200, 422}, response.text
    if field:
        assert error_field(response, 422, field)["expected"] == values.NO_NUL


# --- 2. unpaired surrogates ----------------------------------------------------------------------


def test_a_lone_surrogate_is_refused_and_echoed_safely(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    response = _post_json(client, PORT_CALLS, notice_data(ctx, voyage="EVER\ud800"), auth("agent"))
    named = error_field(response, 422, "voyage")
    assert named["value"] == "EVER\\ud800" and "surrogate" in named["expected"]


def test_a_lone_surrogate_in_a_key_is_named_safely(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx)
    notice["ship"]["\udc00"] = "x"
    response = _post_json(client, PORT_CALLS, notice, auth("agent"))
    assert error_field(response, 422, "ship.\\udc00")["value"] == "\\udc00"


def test_a_surrogate_pair_is_a_character_like_any_other(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    """An emoji sent escaped as a pair (\\ud83d\\udea2) is valid text, not refused."""
    response = _post_json(
        client, PORT_CALLS, notice_data(ctx, general_declaration={"remarks": "\U0001f6a2"}),
        auth("agent"),
    )  # fmt: skip
    assert response.status_code == 201, response.text


# --- 3. calendar edges and 4. implausible values -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"eta": "0001-01-01T00:00:00+00:00"}, "eta"),
        ({"eta": "9999-12-30T00:00:00+00:00"}, "eta"),
        ({"eta": "0001-01-01T00:00:00+08:00"}, "eta"),
        ({"etd": "9999-12-31T23:00:00-05:00"}, "etd"),
        ({"eta": "1970-01-01T08:00:00+08:00"}, "eta"),
        ({"eta": 1733000000}, "eta"),
        ({"eta": "1733000000"}, "eta"),
        ({"security_level": True}, "security_level"),
        ({"health": {"ill_persons": True}}, "health.ill_persons"),
        ({"health": {"suspected_infectious": 1}}, "health.suspected_infectious"),
        ({"health": {"sanitation_certificate_expiry": "9999-12-30"}},
         "health.sanitation_certificate_expiry"),
    ],
    ids=[
        "eta-year-1", "eta-year-9999", "eta-year-1-east", "etd-year-9999-west", "eta-1970",
        "eta-number", "eta-digits", "isps-true", "ill-persons-true", "infectious-1",
        "certificate-9999",
    ],
)  # fmt: skip
def test_an_impossible_value_in_the_filing_is_named(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    stored: None,
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = _post_json(client, PORT_CALLS, notice_data(ctx, **overrides), auth("agent"))
    error_field(response, 422, field)


def test_a_crew_member_born_in_9999_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx)
    notice["crew"][1]["date_of_birth"] = "9999-01-01"
    named = error_field(_post_json(client, PORT_CALLS, notice, auth("agent")), 422,
                        "crew[1].date_of_birth")  # fmt: skip
    assert named["value"] == "9999-01-01" and "birth" in named["expected"]


@pytest.mark.parametrize(
    "at",
    ["0001-01-01T00:00:00+00:00", "9999-12-30T00:00:00+00:00", 1733000000, "2150-01-01T00:00Z"],
)
def test_an_event_at_an_impossible_time_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext, at: object
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    before = kept(ctx)
    response = _post_json(
        client, f"{PORT_CALLS}/{call['id']}/events", {"type": "ATA", "at": at}, auth("terminal")
    )
    error_field(response, 422, "at")
    assert kept(ctx) == before


def test_a_departure_in_year_9999_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    body = departure_notice_data(ctx.clock(), etd="9999-12-30T00:00:00+00:00")
    response = _post_json(client, f"{PORT_CALLS}/{call['id']}/departure", body, auth("agent"))
    assert "2000" in error_field(response, 422, "etd")["expected"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"{DECLARATIONS}?since=0001-01-01T00:00:00Z", "since"),
        (f"{DECLARATIONS}?since=9999-12-30T00:00:00%2B00:00", "since"),
        (f"{DECLARATIONS}?since=1733000000", "since"),
        ("/api/v1/cusres?since=9999-12-31T23:59:59-05:00", "since"),
        ("/api/v1/clearance-times?first=0001-01-01", "first"),
        ("/api/v1/clearance-times?last=9999-12-31", "last"),
    ],
    ids=["since-1", "since-9999", "since-number", "cusres-9999", "first-1", "last-9999"],
)
def test_an_impossible_time_in_a_query_is_refused(
    client: TestClient, auth: Tokens, path: str, field: str
) -> None:
    error_field(client.get(path, headers=auth("customs")), 422, field)


def test_a_gate_out_in_year_1_is_refused(client: TestClient, auth: Tokens) -> None:
    response = _post_json(
        client, f"{DECLARATIONS}/1/gate-out", {"at": "0001-01-01T00:00:00+00:00"}, auth("terminal")
    )
    error_field(response, 422, "at")


def test_the_arrival_form_with_an_eta_out_of_range_shows_the_error_beside_it(
    ctx: ServiceContext, clock: Clock, stored: None
) -> None:
    browser = signed_in(ctx, "agent", lang="en")
    answer = submit_arrival(browser, arrival_form(clock.now, eta="9999-12-30T08:00"))
    assert answer.status_code == 422, answer.text
    assert "2000 to 2099" in text_of(answer, "error-eta")
    answer = submit_arrival(browser, arrival_form(clock.now, eta="0001-01-01T08:00"))
    assert answer.status_code == 422 and text_of(answer, "error-eta")


@pytest.mark.parametrize("at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_an_event_at_an_impossible_time_is_refused_on_the_page(
    client: TestClient, auth: Tokens, ctx: ServiceContext, at: str
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    page_url = f"/port-calls/{call['id']}"
    terminal = signed_in(ctx, "terminal", lang="en")
    before = kept(ctx)
    answer = post_form(
        terminal, page_url, f"{page_url}/events", {"type": "ATA", "at": at, "origin": "call"}
    )
    assert answer.status_code == 422, answer.text
    assert "A date and time" in text_of(answer, "error-at")
    assert kept(ctx) == before


# --- the scan: every field of the filings, every main query parameter --------------------------


def _leaves(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Each leaf of a JSON document with its path ("crew[0].document.expiry"); lists by their
    first entry (the others are the same fields)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        if value:
            yield from _leaves(value[0], f"{where}[0]")
    elif value is not None:
        yield where, value


def _bad_values(value: Any) -> list[Any]:
    """Impossible values of the leaf's own kind."""
    if isinstance(value, bool):
        return [1]
    if isinstance(value, int | float):
        return [True]
    if _DATE.match(value):
        return ["0001-01-01", "9999-12-30", 1733000000]
    if _DATE_TIME.match(value):
        return ["0001-01-01T00:00:00+00:00", "9999-12-30T00:00:00+00:00", 1733000000]
    bad = [value + "\x00", value[:1] + "\ud800" + value[1:]]
    return [*bad, True] if _NUMBER_TEXT.match(value) else bad


def _replaced(document: Any, path: str, value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    target = copy
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    last = parts[-1]
    if last.startswith("["):
        target[int(last[1:-1])] = value
    else:
        target[last] = value
    return copy


def _named(response: httpx.Response, field: str) -> str | None:
    """Why the answer is not a 4xx naming `field` (None when it is)."""
    if not 400 <= response.status_code < 500:
        return f"answered {response.status_code}"
    error = response.json()["error"]
    if not any(f["field"] == field for f in error["fields"]) or field not in error["message"]:
        return f"does not name it: {error}"
    return None


def _scan(
    client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[str]:
    failures = []
    for field, value in _leaves(body):
        for bad in _bad_values(value):
            response = _post_json(client, path, _replaced(body, field, bad), headers)
            why = _named(response, field)
            if why:
                failures.append(f"{path} {field}={bad!r}: {why}")
    return failures


def test_no_field_of_the_filings_takes_an_impossible_value(
    probe: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call = file_call(probe, auth, notice_data(ctx))
    register_traders(probe, auth)
    before = kept(ctx)
    failures = _scan(probe, PORT_CALLS, notice_data(ctx), auth("agent"))
    departure = departure_notice_data(ctx.clock())
    failures += _scan(probe, f"{PORT_CALLS}/{call['id']}/departure", departure, auth("agent"))
    event = {"type": "ATA", "at": ctx.clock().isoformat()}
    failures += _scan(probe, f"{PORT_CALLS}/{call['id']}/events", event, auth("terminal"))
    failures += _scan(probe, DECLARATIONS, declaration_data(), auth("broker"))
    assert failures == []
    assert kept(ctx) == before


QUERIES = [
    (PORT_CALLS, "port_office", ("status", "limit", "offset")),
    ("/api/v1/reviews", "customs", ("status", "limit", "offset")),
    (DECLARATIONS, "customs", ("status", "lane", "office", "awaiting", "q", "since", "limit")),
    ("/api/v1/cusres", "customs", ("since", "after_id")),
    ("/api/v1/clearance-times", "customs", ("first", "last")),
    ("/api/v1/traders", "customs", ("credit_class", "limit")),
    ("/api/v1/inspections/schedule", "customs", ("site", "first", "days")),
]
_NUL_TEXT = ["%00", "CN%00TAO"]
_BAD_TIMES = ["0001-01-01T00:00:00Z", "9999-12-30", "1733000000.5"]
TIME_PARAMS = frozenset({"since", "first", "last"})


def _query_refusal(
    probe: TestClient, path: str, headers: dict[str, str], param: str, bad: str
) -> str | None:
    """Why `param=bad` is not refused naming the parameter (None when it is)."""
    extra = "&since=2026-11-27T00:00:00Z" if param == "after_id" else ""  # cusres needs since
    response = probe.get(f"{path}?{param}={bad}{extra}", headers=headers)
    if not 400 <= response.status_code < 500:
        return f"answered {response.status_code}"
    named = [f["field"].split("[")[0] for f in response.json()["error"]["fields"]]
    return None if param in named else f"named {named}"


def test_no_query_parameter_takes_an_impossible_value(probe: TestClient, auth: Tokens) -> None:
    failures = []
    for path, who, params in QUERIES:
        for param in params:
            bad_values = _NUL_TEXT + (_BAD_TIMES if param in TIME_PARAMS else [])
            for bad in bad_values:
                why = _query_refusal(probe, path, auth(who), param, bad)
                if why:
                    failures.append(f"{path}?{param}={bad}: {why}")
    assert failures == []
