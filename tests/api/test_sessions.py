"""Sessions end on the server: after logout or a password change the old token (cookie or
bearer) lets no one in; tokens must expire and name their session."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select

from kouan.adapters.db.tables import AuditEntry
from kouan.domain.agency import OrgType
from kouan.services.platform import users
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"
CALLS = "/api/v1/port-calls"
CSRF_MARK = 'name="csrf_token" value="'


def _client(ctx: ServiceContext) -> TestClient:
    return TestClient(create_app(ctx), follow_redirects=False)


def _bearer(client: TestClient, username: str, password: str = PASSWORD) -> str:
    answer = client.post(TOKEN, data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _csrf(page_text: str) -> str:
    return page_text.split(CSRF_MARK)[1].split('"')[0]


def _page_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session cookie's token."""
    token = _csrf(client.get("/login").text)
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    cookie: str = client.cookies["kouan_session"]
    return cookie


def _own_user(ctx: ServiceContext) -> str:
    """A user of this test alone (PostgreSQL keeps users between tests, and passwords change
    here)."""
    name = f"pw.{uuid.uuid4().hex[:12]}"
    users.create_user(ctx, name, PASSWORD, OrgType.SHIPPING_AGENT, "Penavico Qingdao")
    return name


def _authorised(client: TestClient, token: str) -> int:
    return client.get(CALLS, headers={"Authorization": f"Bearer {token}"}).status_code


def _actions(ctx: ServiceContext) -> list[tuple[str, str]]:
    with ctx.sessions() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.after)).all()
    return [(action, json.dumps(after)) for action, after in rows]


def test_page_logout_ends_the_session_for_pages_and_api(ctx: ServiceContext) -> None:
    browser = _client(ctx)
    token = _page_login(browser, "agent")
    assert browser.get("/").status_code == 200
    logout = browser.post("/logout", data={"csrf_token": _csrf(browser.get("/").text)})
    assert logout.status_code == 303
    # The cookie kept by someone who copied it before the logout no longer works.
    thief = _client(ctx)
    thief.cookies.set("kouan_session", token)
    assert thief.get("/").status_code == 303
    assert _authorised(thief, token) == 401
    assert any(action == "user.logout" for action, _ in _actions(ctx))


def test_api_logout_ends_the_bearer_tokens_session_only(ctx: ServiceContext) -> None:
    client = _client(ctx)
    ended, other = _bearer(client, "agent"), _bearer(client, "agent")
    answer = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {ended}"})
    assert answer.status_code == 204
    assert _authorised(client, ended) == 401
    assert _authorised(client, other) == 200


def test_password_change_ends_every_session_and_answers_a_new_token(
    ctx: ServiceContext,
) -> None:
    name = _own_user(ctx)
    client = _client(ctx)
    first, second = _bearer(client, name), _bearer(client, name)
    new_password = "a-new-password-42"
    wrong = client.post(
        "/api/v1/auth/password",
        data={"current_password": "not-it-at-all", "new_password": new_password},
        headers={"Authorization": f"Bearer {first}"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"][0]["field"] == "current_password"
    changed = client.post(
        "/api/v1/auth/password",
        data={"current_password": PASSWORD, "new_password": new_password},
        headers={"Authorization": f"Bearer {first}"},
    )
    assert changed.status_code == 200, changed.text
    assert _authorised(client, first) == 401 and _authorised(client, second) == 401
    assert _authorised(client, changed.json()["access_token"]) == 200
    refused = client.post(TOKEN, data={"username": name, "password": PASSWORD})
    assert refused.status_code == 401
    _bearer(client, name, new_password)
    actions = _actions(ctx)
    assert any(action == "user.password_changed" for action, _ in actions)
    assert not any(new_password in after or PASSWORD in after for _, after in actions)


def test_password_page_changes_it_and_ends_other_browsers_sessions(ctx: ServiceContext) -> None:
    name = _own_user(ctx)
    here, elsewhere = _client(ctx), _client(ctx)
    _page_login(here, name)
    _page_login(elsewhere, name)
    form = here.get("/password")
    assert form.status_code == 200 and 'data-testid="password-form"' in form.text
    fields = {"current_password": PASSWORD, "csrf_token": _csrf(form.text)}
    differ = here.post(
        "/password", data={**fields, "new_password": "abcdefgh1", "new_password_again": "x"}
    )
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.text
    new = {"new_password": "abcdefgh12", "new_password_again": "abcdefgh12"}
    not_current = here.post("/password", data={**fields, **new, "current_password": "nope!"})
    assert not_current.status_code == 422 and "这不是您当前的密码" in not_current.text
    done = here.post("/password", data={**fields, **new})
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "密码已修改" in here.get("/").text  # this browser goes on, with a new session
    assert elsewhere.get("/").status_code == 303  # the other one is sent to log in


def test_a_token_without_expiry_or_session_is_refused(ctx: ServiceContext) -> None:
    client = _client(ctx)
    real = jwt.decode(_bearer(client, "agent"), options={"verify_signature": False})
    secret = ctx.settings.secret_key
    now = datetime.now(UTC)
    forever = {k: v for k, v in real.items() if k != "exp"}
    no_session = {k: v for k, v in real.items() if k != "jti"}
    unknown_session = real | {"jti": "0" * 32, "exp": now + timedelta(hours=1)}
    for claims in (forever, no_session, unknown_session):
        token = jwt.encode(claims, secret, algorithm="HS256")
        assert _authorised(client, token) == 401, claims
        page = _client(ctx)
        page.cookies.set("kouan_session", token)
        assert page.get("/").status_code == 303, claims
