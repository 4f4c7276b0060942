"""HTTP fixtures for the API tests: a TestClient over the app on the test database, bearer
headers for each person of tests/conftest.py ORGS, and helpers the API tests share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from pyais import encode_dict
from sqlalchemy import func, select

from kouan.adapters.db.tables import AuditEntry, PortCall, UserSession
from kouan.adapters.paxlst import PassengerList, write_paxlst
from kouan.domain.filing import Person
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.conftest import ORGS, PASSWORD
from tests.factories import arrival_notice_data

# Filing overrides that send every agency's entry review to an officer: cargo totals that do
# not add up (customs), an ill person (CIQ, boarding quarantine) and ISPS level 3 (border, MSA).
ALL_TO_OFFICERS: dict[str, Any] = {
    "cargo": {"total_packages": 1},
    "health": {"ill_persons": 1},
    "security_level": 3,
}
# Inside Qingdao's port area (Qianwan container terminals) and outside it (Dongjiakou).
QIANWAN = (36.00, 120.21)
DONGJIAKOU = (35.60, 119.80)


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    """The whole app over HTTP; a server exception fails the test instead of answering 500."""
    with TestClient(create_app(ctx), raise_server_exceptions=True) as test_client:
        yield test_client


# Logging in costs an argon2 check (a quarter second, on purpose): each person logs in over HTTP
# once per database kind and test run; the users and the signing key are the same in every test.
_SESSION_TOKENS: dict[str, dict[str, str]] = {}


class Tokens:
    """Bearer headers for the people of tests/conftest.py, each logged in over HTTP once."""

    def __init__(self, client: TestClient, backend: str | None = None) -> None:
        """With `backend` the tokens are shared by the run's tests on that database kind: all
        log in when the first test asks (so no test sees a login's writes inside what it
        counts), and each later test's database gets their sessions back."""
        self._client = client
        self._tokens = _SESSION_TOKENS.setdefault(backend, {}) if backend else {}
        self._resumed: set[str] = set()
        if backend and not self._tokens:
            for who in ORGS:
                self._tokens[who] = self._login(who)
                self._resumed.add(who)

    def __call__(self, who: str) -> dict[str, str]:
        if who not in self._tokens:
            self._tokens[who] = self._login(who)
        elif who not in self._resumed:
            _resume_session(self._client, self._tokens[who])
        self._resumed.add(who)
        return {"Authorization": f"Bearer {self._tokens[who]}"}

    def _login(self, who: str) -> str:
        response = self._client.post(
            "/api/v1/auth/token", data={"username": who, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        token: str = body["access_token"]
        return token


def _resume_session(client: TestClient, token: str) -> None:
    """Put a kept token's session into this test's database (a fresh copy of the template, or
    cleaned tables), as the login that issued it had in its own."""
    claims = jwt.decode(token, options={"verify_signature": False})
    ctx: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    session = UserSession(
        id=claims["jti"],
        user_id=int(claims["sub"]),
        created_at=ctx.clock(),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
    with ctx.sessions() as db:
        db.merge(session)
        db.commit()


@pytest.fixture
def auth(client: TestClient, database_url: str) -> Tokens:
    """`auth("customs")` -> {"Authorization": "Bearer ..."}; tokens are kept for the test run."""
    return Tokens(client, database_url.split(":", 1)[0])


def file_call(
    client: TestClient,
    auth: Tokens,
    notice: dict[str, Any],
    who: str = "agent",
    key: str | None = None,
) -> dict[str, Any]:
    """POST the arrival notice and return the port call answered with 201."""
    headers = auth(who) | ({"Idempotency-Key": key} if key else {})
    response = client.post("/api/v1/port-calls", json=notice, headers=headers)
    assert response.status_code == 201, response.text
    call: dict[str, Any] = response.json()
    return call


def notice_data(ctx: ServiceContext, **overrides: Any) -> dict[str, Any]:
    """An arrival notice filed now by the test clock (ETA three days ahead)."""
    return arrival_notice_data(ctx.clock(), **overrides)


def by_agency(call: dict[str, Any], phase: str = "entry") -> dict[str, dict[str, Any]]:
    """The call's reviews of one phase, by agency."""
    return {r["agency"]: r for r in call["reviews"] if r["phase"] == phase}


def position_report(mmsi: str, lat: float, lon: float, msg_type: int = 1) -> str:
    """One real AIVDM sentence (pyais' encoder, so the checksum is right) placing a ship."""
    data: dict[str, str | int | float | bytes | bool] = {
        "type": msg_type,
        "mmsi": int(mmsi),
        "lat": lat,
        "lon": lon,
        "speed": 0.2,
    }
    (sentence,) = encode_dict(data, talker_id="AI", sentence_type="VDM")
    return sentence


def crew_paxlst(crew: list[dict[str, Any]]) -> str:
    """A PAXLST interchange listing `crew` (person dicts) for EVER DIADEM's call at Qingdao."""
    persons = [Person.model_validate(p) for p in crew]
    passenger_list = PassengerList(
        sender="PENAVICO QINGDAO",
        transport_id="0521-012W",
        departure_port="KRPUS",
        arrival_port="CNTAO",
        persons=persons,
        roles=["crew"] * len(persons),
    )
    return write_paxlst(passenger_list, sender="PENAVICO", recipient="KOUAN", reference="42")


def error_field(response: httpx.Response, status: int, field: str) -> dict[str, Any]:
    """Check the error body {"error": {"code", "message", "fields"}}; return the named field.

    The message names the field too, so a person reading only the message can act on it.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["code"], str) and error["code"]
    for entry in error["fields"]:
        assert set(entry) == {"field", "value", "expected"}, entry
    named = [entry for entry in error["fields"] if entry["field"] == field]
    assert named, f"no error names {field!r}: {error}"
    assert field in error["message"], error["message"]
    return named[0]


def stored_counts(ctx: ServiceContext) -> tuple[int, int]:
    """How many port calls and audit entries the database holds."""
    with ctx.sessions() as session:
        calls = session.scalar(select(func.count()).select_from(PortCall))
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
    return calls or 0, entries or 0
