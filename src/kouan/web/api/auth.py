"""POST /api/v1/auth/token: the OAuth2 password form answered with a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from kouan.services.platform import users
from kouan.web.deps import Ctx

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token")
def token(
    ctx: Ctx, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> dict[str, str]:
    actor = users.authenticate(ctx, username, password)
    return {"access_token": users.issue_token(ctx, actor), "token_type": "bearer"}
