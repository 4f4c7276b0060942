"""Dependencies injected into routes: the service context and the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from kouan.domain.identifiers import MAX_ID
from kouan.services.platform import users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies declared with plain `def` run each in a worker thread of their own before the route
# runs in another; the ones here are quick enough to run on the event loop instead.
async def get_ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServiceContext, Depends(get_ctx)]


async def api_actor(ctx: Ctx, token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    if not token:
        raise users.NotAuthenticated("a bearer token is required: POST /api/v1/auth/token")
    if ctx.embedded:  # the session's row is read in microseconds: cheaper than a thread's turn
        return users.actor_from_token(ctx, token)
    return await run_in_threadpool(users.actor_from_token, ctx, token)


ApiActor = Annotated[Actor, Depends(api_actor)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
# Ids are the database's INTEGER: anything outside it is refused as input, not looked up.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


def client_address(request: Request) -> str:
    """The address logins are throttled by: the peer, or what a trusted proxy says it is
    (the app's proxy-headers middleware has already put that in its place)."""
    return request.client.host if request.client else ""
