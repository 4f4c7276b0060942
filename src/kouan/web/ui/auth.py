"""Logging in and out of the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kouan.services.platform import users
from kouan.web.deps import Ctx
from kouan.web.ui import session, words
from kouan.web.ui.forms import FormState, typed
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import language, redirect, render

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, state: FormState, status: int = 200) -> Response:
    return render(
        request, "login.html", {"state": state}, actor=None, status=status, page_url="/login"
    )


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
    try:
        actor = users.authenticate(
            ctx, values.get("username", ""), password if isinstance(password, str) else ""
        )
    except users.TooManyAttempts as exc:
        headline = t(words.LOGIN_THROTTLED)
        return _login_page(request, FormState(values, messages=[(headline, exc.message)]), 429)
    except users.NotAuthenticated:
        headline = t(words.LOGIN_WRONG)
        return _login_page(request, FormState(values, messages=[(headline, "")]), 401)
    response = redirect(session.safe_next(values.get("next")))
    token = users.issue_token(ctx, actor)
    session.start_session(request, response, token, ctx.settings.token_minutes)
    return response


@router.post("/logout")
def logout() -> Response:
    response = redirect("/login", notice="logged_out")
    session.end_session(response)
    return response
