"""The FastAPI application: JSON API under /api/v1 and the server-rendered pages."""

from __future__ import annotations

from fastapi import FastAPI

from kouan import __version__
from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import Settings, get_settings
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web import errors
from kouan.web.api import (
    ais,
    auth,
    declarations,
    inspections,
    portcalls,
    reviews,
    risk,
    rulesets,
    system,
    traders,
)
from kouan.web.limits import BodyLimit
from kouan.web.ui import routes as pages


def create_app(ctx: ServiceContext | None = None) -> FastAPI:
    settings: Settings = ctx.settings if ctx else get_settings()
    ctx = ctx or service_context(make_engine(settings.database_url), settings)
    app = FastAPI(
        title="Kouan 口岸",
        version=__version__,
        description="Single window for a port of entry: file once, four agencies decide at once.",
    )
    app.state.ctx = ctx
    for module in (
        auth,
        portcalls,
        reviews,
        ais,
        declarations,
        risk,
        rulesets,
        inspections,
        traders,
        system,
    ):
        app.include_router(module.router)
    pages.mount(app)
    errors.install(app, html=pages.error_page)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
