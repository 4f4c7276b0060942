"""The FastAPI application: JSON API under /api/v1 and the server-rendered pages."""

from __future__ import annotations

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from kouan import __version__
from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import Settings, get_settings
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web import errors, metrics, relay_task
from kouan.web.api import (
    ais,
    alerts,
    auth,
    baggage,
    cases,
    crossings,
    declarations,
    docs,
    gate,
    inspections,
    manifests,
    person_lists,
    portcalls,
    reviews,
    risk,
    rulesets,
    stats,
    system,
    terminal,
    traders,
    webhooks,
)
from kouan.web.api.duties import router as duties_router
from kouan.web.api.transit import router as transit_router
from kouan.web.input_guard import InputGuard
from kouan.web.limits import BodyLimit
from kouan.web.security_headers import SecurityHeaders
from kouan.web.ui import routes as pages
from kouan.web.ui.refused_input import input_refused


def create_app(ctx: ServiceContext | None = None) -> FastAPI:
    settings: Settings = ctx.settings if ctx else get_settings()
    ctx = ctx or service_context(make_engine(settings.database_url), settings)
    app = FastAPI(
        title="Kouan 口岸",
        version=__version__,
        description="Single window for a port of entry: file once, four agencies decide at once.",
        # web/api/docs.py serves /docs under the security headers' policy; one docs page only.
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    for module in (
        auth,
        portcalls,
        reviews,
        ais,
        alerts,
        person_lists,
        cases,
        baggage,
        crossings,
        declarations,
        manifests,
        gate,
        risk,
        rulesets,
        inspections,
        traders,
        stats,
        terminal,
        system,
        docs,
        webhooks,
        metrics,
    ):
        app.include_router(module.router)
    app.include_router(transit_router)
    app.include_router(duties_router)
    docs.mount(app)
    pages.mount(app)
    relay_task.install(app, ctx)
    errors.install(app, html=pages.error_page)
    # Inside the body limit: what it reads whole is already bounded.
    app.add_middleware(InputGuard, html=input_refused)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.state.traffic = metrics.Traffic()
    app.add_middleware(metrics.Measured, traffic=app.state.traffic)
    app.add_middleware(SecurityHeaders)
    # Outermost: the client's address and scheme are settled before anything reads them.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
