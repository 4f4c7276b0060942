"""Mounting the pages on the application: their routes, the static files, the login redirect."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from kouan.web.ui import (
    alerts,
    auth,
    baggage,
    board,
    clearance,
    declarations,
    duties,
    goods,
    home,
    i18n,
    inspections,
    legal_inspection,
    person_lists,
    port_calls,
    reviews,
    risk_rules,
    stats,
    terminal_moves,
    traders,
)
from kouan.web.ui import transit as transit_pages
from kouan.web.ui.render import error_page
from kouan.web.ui.session import LoginRequired, login_url, verify_csrf

STATIC = Path(__file__).parent / "static"
PAGE_MODULES = (
    auth,
    home,
    port_calls,
    reviews,
    board,
    declarations,
    risk_rules,
    inspections,
    clearance,
    traders,
    legal_inspection,
    person_lists,
    alerts,
    baggage,
    stats,
    terminal_moves,
    goods,
    duties,
)

__all__ = ["error_page", "mount"]


async def _to_login(_request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(login_url(exc.next_url), status_code=303)


def mount(app: FastAPI) -> None:
    """Add the pages; every page POST passes the one CSRF check."""
    i18n.load_all()
    for module in PAGE_MODULES:
        app.include_router(module.router, dependencies=[Depends(verify_csrf)])
    app.include_router(transit_pages.router, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
