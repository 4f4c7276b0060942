"""Organisations, users, passwords (argon2), login throttling and bearer tokens."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from sqlalchemy import bindparam, select

from kouan.adapters.db.tables import LoginThrottle, Organisation, User
from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.domain.errors import DomainError, NotFound, ValidationFailed
from kouan.services.platform.permissions import SYSTEM, Actor
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

TOKEN_ALGORITHM = "HS256"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases cost the same time."""
    return _hasher().hash("kouan-unknown-user")


def _org(uow: UnitOfWork, org_type: OrgType, org_name: str) -> Organisation:
    org = uow.session.scalar(select(Organisation).where(Organisation.name == org_name))
    if org is None:
        org = Organisation(type=org_type.value, name=org_name, created_at=uow.now)
        uow.session.add(org)
        uow.session.flush()
        uow.audit(
            "organisation.created",
            "organisation",
            org.id,
            None,
            {"type": org.type, "name": org.name},
        )
    elif org.type != org_type.value:
        raise ValidationFailed.one(
            "org_type", org_type.value, f"{org.type}, the type of the existing '{org_name}'"
        )
    return org


def create_user(
    ctx: ServiceContext,
    username: str,
    password: str,
    org_type: OrgType,
    org_name: str,
    full_name: str = "",
    actor: Actor = SYSTEM,
) -> int:
    """Create a user (and its organisation if new); returns the user's id."""
    username = username.strip()
    if not 3 <= len(username) <= 80 or not username.replace("_", "").replace(".", "").isalnum():
        raise ValidationFailed.one("username", username, "3-80 letters, digits, '_' or '.'")
    if len(password) < 8:
        raise ValidationFailed.one("password", "***", "at least 8 characters")
    password_hash = _hasher().hash(password)  # slow on purpose: before the write transaction
    with ctx.uow(actor) as uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationFailed.one("username", username, "a username not yet taken")
        org = _org(uow, org_type, org_name)
        user = User(
            username=username,
            password_hash=password_hash,
            full_name=full_name,
            org_id=org.id,
            created_at=uow.now,
        )
        uow.session.add(user)
        uow.session.flush()
        uow.audit("user.created", "user", user.id, None, {"username": username, "org_id": org.id})
        uow.commit()
        return user.id


# Run on every API request (the token names the user; the database says whether they may still
# act): a plain statement built once, without a session, keeps it cheap.
_ACTOR = (
    select(User.id, User.username, Organisation.id, Organisation.type, Organisation.name)
    .join(Organisation, Organisation.id == User.org_id)
    .where(User.id == bindparam("user_id"), User.is_active)
)


def actor_for(ctx: ServiceContext, user_id: int) -> Actor:
    """The active user `user_id` and the organisation they act for."""
    with ctx.engine.connect() as conn:
        row = conn.execute(_ACTOR, {"user_id": user_id}).first()
    if row is None:
        raise NotAuthenticated("the user no longer exists or is disabled")
    uid, username, org_id, org_type, org_name = row
    return Actor(uid, username, org_id, OrgType(org_type), org_name)


def actor_named(ctx: ServiceContext, username: str) -> Actor:
    """The active user of this name, for the command line (whose operator has the database)."""
    with ctx.engine.connect() as conn:
        user_id = conn.execute(
            select(User.id).where(User.username == username, User.is_active)
        ).scalar()
    if user_id is None:
        raise NotFound(f"no active user {username!r}")
    return actor_for(ctx, user_id)


def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """Check a password. After repeated failures the username is locked for a while.

    The slow hash check runs outside any write transaction, so logins never hold up filings.
    """
    with ctx.uow(SYSTEM, write=False) as uow:
        _refuse_if_locked(uow.session.get(LoginThrottle, username), uow.now, username)
        user = uow.session.scalar(select(User).where(User.username == username, User.is_active))
    ok = _hasher().verify(password, user.password_hash if user else _dummy_hash())
    with ctx.uow(SYSTEM) as uow:
        throttle = uow.session.get(LoginThrottle, username)
        _refuse_if_locked(throttle, uow.now, username)  # locked meanwhile by a parallel guess
        if ok and user is not None:
            if throttle:
                uow.session.delete(throttle)
                uow.commit()
            return actor_for(ctx, user.id)
        _count_failure(uow, throttle, username, ctx.settings)
        uow.commit()
    raise NotAuthenticated("wrong username or password")


def _refuse_if_locked(throttle: LoginThrottle | None, now: datetime, username: str) -> None:
    if throttle and throttle.locked_until and throttle.locked_until > now:
        wait = math.ceil((throttle.locked_until - now).total_seconds() / 60)
        raise TooManyAttempts(f"too many failed logins for '{username}'; try again in {wait} min")


def _count_failure(
    uow: UnitOfWork, throttle: LoginThrottle | None, username: str, settings: Settings
) -> None:
    if throttle is None:
        throttle = LoginThrottle(username=username, failures=0)
        uow.session.add(throttle)
    throttle.failures += 1
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = uow.now + timedelta(minutes=settings.login_lock_minutes)
        throttle.failures = 0
        uow.audit(
            "user.login_locked",
            "user",
            username,
            None,
            {"locked_until": throttle.locked_until.isoformat()},
        )


def issue_token(ctx: ServiceContext, actor: Actor) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(actor.user_id),
        "iat": now,
        "exp": now + timedelta(minutes=ctx.settings.token_minutes),
    }
    return jwt.encode(claims, ctx.settings.secret_key, algorithm=TOKEN_ALGORITHM)


def actor_from_token(ctx: ServiceContext, token: str) -> Actor:
    try:
        claims = jwt.decode(token, ctx.settings.secret_key, algorithms=[TOKEN_ALGORITHM])
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise NotAuthenticated("the token is invalid or has expired; log in again") from None
    return actor_for(ctx, user_id)


def find_user(ctx: ServiceContext, username: str) -> int:
    with ctx.uow(SYSTEM, write=False) as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"user {username} not found")
    return user_id
