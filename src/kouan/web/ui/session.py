"""Signing people in to the pages: the session cookie, the signed-in actor and CSRF tokens.

The session cookie holds the same bearer token the API issues. Every form posted to the pages
carries an HMAC of the session (or, before login, of an anonymous cookie) under the secret key;
`verify_csrf` checks it for every page POST, so a form on another site cannot post as the user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from kouan.domain.errors import Forbidden
from kouan.services.platform import users
from kouan.services.platform.permissions import Actor

SESSION_COOKIE = "kouan_session"
# Binds the login form's CSRF token before there is a session to bind it to.
ANON_COOKIE = "kouan_anon"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """A page was asked for without a valid session; answered by a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='')}" if next_url != "/" else "/login"


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def csrf_token(secret: str, binding: str) -> str:
    mac = hmac.new(secret.encode(), f"kouan-csrf:{binding}".encode(), hashlib.sha256)
    return mac.hexdigest()


def _binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)


def form_token(request: Request) -> tuple[str, str | None]:
    """The CSRF token for this page's forms, and a new anonymous binding to set as a cookie
    when the request has nothing to bind to (a first visit to the login page)."""
    binding = _binding(request)
    anonymous = None
    if binding is None:
        binding = anonymous = secrets.token_urlsafe(32)
    return csrf_token(request.app.state.ctx.settings.secret_key, binding), anonymous


def set_anonymous(request: Request, response: Response, binding: str) -> None:
    response.set_cookie(
        ANON_COOKIE, binding, httponly=True, samesite="lax", secure=_secure(request)
    )


async def read_form(request: Request) -> FormData:
    """The posted form (parsed once; Starlette keeps it for later readers)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(read_form)]


async def verify_csrf(request: Request) -> None:
    """Refuse a page POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    binding = _binding(request)
    sent = (await request.form()).get(CSRF_FIELD)
    ctx = request.app.state.ctx
    if (
        binding is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, csrf_token(ctx.settings.secret_key, binding))
    ):
        raise Forbidden(
            "the form's security token is missing or out of date; reload the page and send it again"
        )


def optional_actor(request: Request) -> Actor | None:
    """The signed-in person, or None (expired, logged out or never logged in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return users.actor_from_token(request.app.state.ctx, token)
    except users.NotAuthenticated:
        return None


def page_actor(request: Request) -> Actor:
    """The signed-in person; anyone else is sent to log in and brought back afterwards."""
    actor = optional_actor(request)
    if actor is None:
        # After login a POST cannot be replayed: come back to the home page instead.
        target = request.url.path if request.method == "GET" else "/"
        if request.url.query and request.method == "GET":
            target += f"?{request.url.query}"
        raise LoginRequired(target)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, token: str, minutes: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=minutes * 60,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(ANON_COOKIE)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
