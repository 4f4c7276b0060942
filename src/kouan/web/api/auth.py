"""/api/v1/auth: the OAuth2 password form answered with a bearer token, ending the token's
session, and changing one's password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

from kouan.services.platform import users
from kouan.services.platform.login_throttle import TooManyAttempts
from kouan.web.deps import ApiActor, Ctx, client_address
from kouan.web.errors import error_body

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


class BearerToken(BaseModel):
    access_token: str
    token_type: str


def wait_answer(exc: TooManyAttempts) -> JSONResponse:
    """429 with the error body and Retry-After: how many seconds the client must wait."""
    return JSONResponse(
        error_body(exc.code, exc.message),
        status_code=429,
        headers={"Retry-After": str(exc.wait_seconds)},
    )


@router.post("/token", response_model=BearerToken)
def token(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> dict[str, str] | JSONResponse:
    client = client_address(request)
    try:
        actor = users.authenticate(ctx, username, password, client)
    except TooManyAttempts as exc:
        return wait_answer(exc)
    return {"access_token": users.issue_token(ctx, actor, client), "token_type": "bearer"}


@router.post("/logout", status_code=204)
def logout(ctx: Ctx, bearer: Annotated[str, Depends(_bearer)]) -> Response:
    """End this token's session: the token is refused from now on."""
    users.logout(ctx, bearer)
    return Response(status_code=204)


@router.post("/password", response_model=BearerToken)
def change_password(
    request: Request,
    ctx: Ctx,
    actor: ApiActor,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
) -> dict[str, str] | JSONResponse:
    """Change the caller's password; every session of theirs ends and a new token is answered."""
    client = client_address(request)
    try:
        users.change_password(ctx, actor, current_password, new_password, client)
    except TooManyAttempts as exc:
        return wait_answer(exc)
    return {"access_token": users.issue_token(ctx, actor, client), "token_type": "bearer"}
