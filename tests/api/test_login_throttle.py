"""Logins over HTTP under attack: failures slow the guesser down (growing waits per account and
per client) without locking the owner out, long usernames never answer 500, and what failed
logins store stays bounded."""

from __future__ import annotations

import json
import uuid

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kouan.adapters.db.tables import AuditEntry, LoginFailure
from kouan.domain.agency import OrgType
from kouan.services.platform import users
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.conftest import PASSWORD, Clock

TOKEN = "/api/v1/auth/token"
# A trusted proxy (the default trusted address) that says which client it forwards.
PROXY = ("127.0.0.1", 40000)


def _browser(ctx: ServiceContext) -> TestClient:
    return TestClient(create_app(ctx), client=PROXY, raise_server_exceptions=True)


def _login(
    client: TestClient, username: str, password: str, address: str = "198.51.100.1"
) -> httpx.Response:
    return client.post(
        TOKEN,
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


def _fail(client: TestClient, username: str, times: int, address: str = "198.51.100.1") -> None:
    for _ in range(times):
        answer = _login(client, username, "wrong-password", address)
        assert answer.status_code == 401, answer.text


def _new_user(ctx: ServiceContext, length: int) -> str:
    """A user whose name has `length` characters (unique: PostgreSQL keeps users between
    tests)."""
    name = ("u" + uuid.uuid4().hex * 3)[:length]
    users.create_user(ctx, name, PASSWORD, OrgType.SHIPPING_AGENT, "Penavico Qingdao")
    return name


def _audit(ctx: ServiceContext) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _failure_rows(ctx: ServiceContext) -> list[LoginFailure]:
    with ctx.sessions() as session:
        return list(session.scalars(select(LoginFailure)))


def test_a_long_username_is_throttled_and_audited_under_the_users_id(
    ctx: ServiceContext,
) -> None:
    name = _new_user(ctx, 60)
    client = _browser(ctx)
    _fail(client, name, ctx.settings.login_max_failures)
    held = _login(client, name, PASSWORD)
    assert held.status_code == 429, held.text
    assert held.json()["error"]["code"] == "too_many_attempts"
    assert held.headers["Retry-After"] == str(ctx.settings.login_delay_seconds)
    user_id = str(users.find_user(ctx, name))
    throttled = [e for e in _audit(ctx) if e.action == "user.login_throttled"]
    assert [(e.entity_type, e.entity_id) for e in throttled] == [("user", user_id)]


def test_a_username_longer_than_any_is_refused_naming_the_field(ctx: ServiceContext) -> None:
    client = _browser(ctx)
    for length in (81, 100_000):
        answer = _login(client, "x" * length, "wrong-password")
        assert answer.status_code == 422, answer.text
        (field,) = answer.json()["error"]["fields"]
        assert field["field"] == "username" and "80" in field["expected"]
        assert len(answer.text) < 1000
    assert _failure_rows(ctx) == []


def test_someone_elses_failures_do_not_keep_the_owner_out(ctx: ServiceContext) -> None:
    client = _browser(ctx)
    _fail(client, "ciq", ctx.settings.login_max_failures, address="203.0.113.66")
    # The guesser waits, even with the right password ...
    assert _login(client, "ciq", PASSWORD, address="203.0.113.66").status_code == 429
    # ... the owner, from a client that has not been failing, logs in.
    owner = _login(client, "ciq", PASSWORD, address="198.51.100.20")
    assert owner.status_code == 200, owner.text


def test_waits_double_with_each_further_failure(ctx: ServiceContext, clock: Clock) -> None:
    ctx.settings.login_max_failures = 2
    client = _browser(ctx)
    first = ctx.settings.login_delay_seconds
    _fail(client, "msa", ctx.settings.login_max_failures)
    waits = []
    for _ in range(4):
        held = _login(client, "msa", "wrong-password")
        assert held.status_code == 429
        waits.append(int(held.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
        _fail(client, "msa", 1)  # the wait is over: one more guess, and a longer wait
    assert waits == [first, 2 * first, 4 * first, 8 * first]
    clock.advance(days=1)
    assert _login(client, "msa", PASSWORD).status_code == 200


def test_one_client_guessing_across_accounts_waits(ctx: ServiceContext) -> None:
    ctx.settings.login_client_max_failures = 4  # fewer slow hash checks; the rule is the same
    client = _browser(ctx)
    for n in range(ctx.settings.login_client_max_failures):
        _fail(client, f"nobody.{n}", 1, address="203.0.113.9")
    held = _login(client, "agent", PASSWORD, address="203.0.113.9")
    assert held.status_code == 429
    assert _login(client, "agent", PASSWORD, address="198.51.100.3").status_code == 200


def test_the_throttled_login_page_says_the_wait_in_both_languages(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"username": "border", "password": "nope-nope", "csrf_token": token}
    for _ in range(ctx.settings.login_max_failures):
        assert client.post("/login", data=data).status_code == 401
    for lang, words in (("zh", "请等待1分钟后再试"), ("en", "wait 1 min, then try again")):
        held = client.post(f"/login?lang={lang}", data={**data, "password": PASSWORD})
        assert held.status_code == 429 and held.headers["Retry-After"] == "60"
        assert words in held.text
        if lang == "zh":  # the whole message in Chinese, no English service text beside it
            assert "too many failed logins" not in held.text


def test_failed_logins_store_fixed_size_keys_never_the_text_typed(ctx: ServiceContext) -> None:
    client = _browser(ctx)
    typed = "Correct-Horse-Battery-" + "y" * 50  # a password typed into the username field
    _fail(client, typed, 1)
    rows = _failure_rows(ctx)
    assert len(rows) == 2 and all(len(row.key) <= 64 and "Horse" not in row.key for row in rows)
    failed = [e for e in _audit(ctx) if e.action == "user.login_failed"]
    assert len(failed) == 1 and failed[0].entity_type == "login"
    assert "Horse" not in json.dumps([e.after for e in _audit(ctx)])


def test_old_failures_are_pruned_and_the_rows_capped(ctx: ServiceContext, clock: Clock) -> None:
    ctx.settings.login_failure_rows = 6
    client = _browser(ctx)
    for n in range(8):
        _fail(client, f"nobody.{n}", 1, address=f"198.51.100.{n}")
        assert len(_failure_rows(ctx)) <= 6
    clock.advance(hours=ctx.settings.login_failure_hours + 1)
    _fail(client, "nobody.late", 1)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2


def test_logins_and_failures_are_audited_without_the_password(ctx: ServiceContext) -> None:
    client = _browser(ctx)
    _fail(client, "terminal", 1)
    assert _login(client, "terminal", PASSWORD).status_code == 200
    user_id = str(users.find_user(ctx, "terminal"))
    entries = [(e.action, e.entity_type, e.entity_id) for e in _audit(ctx)]
    assert ("user.login_failed", "user", user_id) in entries
    assert ("user.login", "user", user_id) in entries
    assert PASSWORD not in json.dumps([e.after for e in _audit(ctx)])
