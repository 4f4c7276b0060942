"""Logging in and out of the pages, and changing one's password."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kouan.domain.errors import ValidationFailed
from kouan.services.platform import users
from kouan.services.platform.login_throttle import TooManyAttempts
from kouan.web.deps import Ctx, client_address
from kouan.web.ui import session, words
from kouan.web.ui.forms import FormState, refused_by_checks, typed
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import language, redirect, render
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, state: FormState, status: int = 200) -> Response:
    return render(
        request, "login.html", {"state": state}, actor=None, status=status, page_url="/login"
    )


def throttled(request: Request, exc: TooManyAttempts) -> tuple[str, str]:
    """The wait, said in the reader's language (the service's English would only repeat it)."""
    t = translations(language(request)).gettext
    seconds = exc.wait_seconds
    wait = (
        t(words.WAIT_SECONDS) % {"s": seconds}
        if seconds < 60
        else t(words.MINUTES) % {"m": -(-seconds // 60)}
    )
    return t(words.LOGIN_THROTTLED) % {"wait": wait}, ""


@router.get("/login")
def login_form(request: Request, next_url: Annotated[str, Query(alias="next")] = "/") -> Response:
    if session.optional_actor(request) is not None:
        return redirect(session.safe_next(next_url))
    return _login_page(request, FormState(values={"next": session.safe_next(next_url)}))


@router.post("/login")
def login(request: Request, ctx: Ctx, form: session.PostedForm) -> Response:
    values = typed(form, ("username", "next"))
    password = form.get("password")
    t = translations(language(request)).gettext
    client = client_address(request)
    try:
        actor = users.authenticate(
            ctx, values.get("username", ""), password if isinstance(password, str) else "", client
        )
    except TooManyAttempts as exc:
        page = _login_page(request, FormState(values, messages=[throttled(request, exc)]), 429)
        page.headers["Retry-After"] = str(exc.wait_seconds)
        return page
    except ValidationFailed as exc:
        values["username"] = values.get("username", "")[: users.USERNAME_MAX]
        headline = t(words.LOGIN_WRONG)
        return _login_page(request, FormState(values, messages=[(headline, exc.message)]), 422)
    except users.NotAuthenticated:
        headline = t(words.LOGIN_WRONG)
        return _login_page(request, FormState(values, messages=[(headline, "")]), 401)
    response = redirect(session.safe_next(values.get("next")))
    token = users.issue_token(ctx, actor, client)
    session.start_session(request, response, token, ctx.settings.token_minutes)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx) -> Response:
    """End the session on the server too: the cookie's token is refused from now on."""
    token = request.cookies.get(session.SESSION_COOKIE)
    if token:
        # Already ended (expired, or logged out in another tab): nothing more to end.
        with suppress(users.NotAuthenticated):
            users.logout(ctx, token)
    response = redirect("/login", notice="logged_out")
    session.end_session(response)
    return response


def _password_page(
    request: Request, actor: PageActor, state: FormState, status: int = 200
) -> Response:
    return render(
        request,
        "password.html",
        {"state": state},
        actor=actor,
        status=status,
        page_url="/password",
    )


@router.get("/password")
def password_form(request: Request, actor: PageActor) -> Response:
    return _password_page(request, actor, FormState())


# Where each refusal of the password service is shown, and what the field expects.
_PASSWORD_FIELDS = {
    "current_password": words.PASSWORD_NOT_CURRENT,
    "new_password": words.PASSWORD_RULE,
}


@router.post("/password")
def change_password(
    request: Request, ctx: Ctx, actor: PageActor, form: session.PostedForm
) -> Response:
    """Change the password; this browser gets a new session, every other session ends."""
    sent = {name: form.get(name) for name in (*_PASSWORD_FIELDS, "new_password_again")}
    text = {name: value if isinstance(value, str) else "" for name, value in sent.items()}
    lang = language(request)
    if text["new_password"] != text["new_password_again"]:
        state = refused_by_checks({}, {"new_password_again": words.PASSWORD_MISMATCH}, lang)
        return _password_page(request, actor, state, 422)
    client = client_address(request)
    try:
        users.change_password(ctx, actor, text["current_password"], text["new_password"], client)
    except TooManyAttempts as exc:
        return _password_page(request, actor, FormState(messages=[throttled(request, exc)]), 429)
    except ValidationFailed as exc:
        # Passwords are never shown again, not even in the message beside their field.
        wrong = {fe.field: _PASSWORD_FIELDS.get(fe.field, words.PASSWORD_RULE) for fe in exc.fields}
        return _password_page(request, actor, refused_by_checks({}, wrong, lang), 422)
    response = redirect("/", notice="password_changed")
    token = users.issue_token(ctx, actor, client)
    session.start_session(request, response, token, ctx.settings.token_minutes)
    return response
