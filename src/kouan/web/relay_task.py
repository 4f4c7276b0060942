"""The outbox relay as a background task of the server, when a broker is configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from kouan.services.platform.relay import BackgroundRelay
from kouan.services.platform.unit_of_work import ServiceContext


def install(app: FastAPI, ctx: ServiceContext) -> None:
    """Run the relay while the app runs (around whatever lifespan the app has already). With
    several workers each starts one; the relay's lease lets one of them relay at a time."""
    if ctx.settings.nats_url is None or not ctx.settings.outbox_relay_in_server:
        return
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        relay = BackgroundRelay(ctx)
        relay.start()
        try:
            async with inner(served) as state:
                yield state
        finally:
            relay.stop()

    app.router.lifespan_context = lifespan
