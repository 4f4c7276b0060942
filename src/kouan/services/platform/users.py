"""Organisations, users, passwords (argon2), logins, sessions and their bearer tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from sqlalchemy import bindparam, delete, func, select, update

from kouan.adapters.db.tables import Organisation, User, UserSession
from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.domain.errors import DomainError, NotFound, ValidationFailed
from kouan.services.platform import login_throttle
from kouan.services.platform.permissions import SYSTEM, Actor
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

TOKEN_ALGORITHM = "HS256"
USERNAME_MAX = 80  # the users table's username column
PASSWORD_MIN = 8
PASSWORD_MAX = 1024
SESSION_ID_LENGTH = 32  # hex characters of a session id (the token's jti)


class NotAuthenticated(DomainError):
    code = "not_authenticated"


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
    if not _may_exist(username):
        raise ValidationFailed.one(
            "username", username, f"3-{USERNAME_MAX} letters, digits, '_' or '.'"
        )
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed.one("password", "***", f"at least {PASSWORD_MIN} characters")
    _checked_password("password", password)
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


def _login_username(username: str) -> str:
    """A username as typed at login: longer than any username can be is refused outright (it
    cannot be an account, and it is not worth hashing or storing)."""
    if len(username) > USERNAME_MAX:
        shown = username[:40] + "..."
        raise ValidationFailed.one("username", shown, f"at most {USERNAME_MAX} characters")
    return username


def _checked_password(field: str, password: str) -> str:
    # argon2 reads the whole password: a bound keeps a megabyte "password" from costing seconds.
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed.one(field, "***", f"at most {PASSWORD_MAX} characters")
    return password


def _may_exist(username: str) -> bool:
    """Whether `username` has a username's shape (one that could never be created is not looked
    up: NUL bytes, surrogates and the like never reach the database)."""
    return 3 <= len(username) <= USERNAME_MAX and (
        username.replace("_", "").replace(".", "").isalnum()
    )


def authenticate(ctx: ServiceContext, username: str, password: str, client: str = "") -> Actor:
    """Check a password from `client` (the address it came from; "" on the command line).

    Repeated failures make the next attempts wait (login_throttle). The slow hash check runs
    outside any write transaction, so logins never hold up filings.
    """
    keys = login_throttle.keys(_login_username(username), client)
    _checked_password("password", password)
    with ctx.uow(SYSTEM, write=False) as uow:
        login_throttle.refuse_if_waiting(uow.session, keys, uow.now, ctx.settings)
        user = None
        if _may_exist(username):
            user = uow.session.scalar(select(User).where(User.username == username, User.is_active))
    ok = _hasher().verify(password, user.password_hash if user else _dummy_hash())
    with ctx.uow(SYSTEM) as uow:
        # A parallel guess may have failed meanwhile.
        login_throttle.refuse_if_waiting(uow.session, keys, uow.now, ctx.settings)
        if ok and user is not None:
            login_throttle.forget(uow.session, keys.account)
            uow.commit()
            return actor_for(ctx, user.id)
        _count_failure(uow, keys, user, client, ctx.settings)
        uow.commit()
    raise NotAuthenticated("wrong username or password")


def _count_failure(
    uow: UnitOfWork, keys: login_throttle.Keys, user: User | None, client: str, settings: Settings
) -> None:
    """Count the failure and audit it under the user's id, or, for a username that names no
    one, under its hash (never the text typed: it is sometimes a password)."""
    waits = login_throttle.record_failure(uow.session, keys, uow.now, settings)
    kind, entity = ("user", str(user.id)) if user is not None else ("login", keys.account[2:])
    address = client[:64]
    uow.audit("user.login_failed", kind, entity, None, {"client": address})
    if waits[keys.account]:
        uow.audit("user.login_throttled", kind, entity, None, {"wait_seconds": waits[keys.account]})
    if waits[keys.client]:
        uow.audit(
            "client.login_throttled",
            "client",
            keys.client[2:],
            None,
            {"client": address, "wait_seconds": waits[keys.client]},
        )


def _claims(ctx: ServiceContext, token: str) -> tuple[int, str]:
    """The user id and session id a token of ours carries; it must expire and name a session."""
    try:
        claims = jwt.decode(
            token,
            ctx.settings.secret_key,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "jti"]},
        )
        user_id, session_id = int(claims["sub"]), claims["jti"]
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        raise NotAuthenticated("the token is invalid or has expired; log in again") from None
    if not isinstance(session_id, str) or len(session_id) != SESSION_ID_LENGTH:
        raise NotAuthenticated("the token is invalid or has expired; log in again")
    return user_id, session_id


def issue_token(ctx: ServiceContext, actor: Actor, client: str = "") -> str:
    """Start a session for `actor` and answer its bearer token (the session cookie's value)."""
    session_id = secrets.token_hex(SESSION_ID_LENGTH // 2)
    # The token's own times, not the service clock: the session row lives as long as the
    # token's signature would, and goes when the token could no longer be used anyway.
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=ctx.settings.token_minutes)
    with ctx.uow(actor) as uow:
        # A user's expired sessions go as they start new ones: the table holds live ones only.
        uow.session.execute(
            delete(UserSession).where(
                UserSession.user_id == actor.user_id, UserSession.expires_at <= now
            )
        )
        uow.session.add(
            UserSession(
                id=session_id, user_id=actor.user_id, created_at=uow.now, expires_at=expires
            )
        )
        after = {"session": session_id, "client": client[:64]}
        uow.audit("user.login", "user", actor.user_id, None, after)
        uow.commit()
    claims = {"sub": str(actor.user_id), "iat": now, "exp": expires, "jti": session_id}
    return jwt.encode(claims, ctx.settings.secret_key, algorithm=TOKEN_ALGORITHM)


# Run on every request that carries a token (the token names the user and the session; the
# database says whether both still stand): one primary-key lookup joined to the user, as a plain
# statement built once, without an ORM session.
_SESSION_ACTOR = (
    select(User.id, User.username, Organisation.id, Organisation.type, Organisation.name)
    .join(Organisation, Organisation.id == User.org_id)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.id == bindparam("session_id"),
        User.id == bindparam("user_id"),
        User.is_active,
    )
)


def _session(ctx: ServiceContext, token: str) -> tuple[Actor, str]:
    user_id, session_id = _claims(ctx, token)
    with ctx.engine.connect() as conn:
        row = conn.execute(_SESSION_ACTOR, {"user_id": user_id, "session_id": session_id}).first()
    if row is None:
        raise NotAuthenticated("the session has ended or the user is disabled; log in again")
    uid, username, org_id, org_type, org_name = row
    return Actor(uid, username, org_id, OrgType(org_type), org_name), session_id


def actor_from_token(ctx: ServiceContext, token: str) -> Actor:
    """Who a bearer token (or session cookie) lets act: its session must still stand."""
    return _session(ctx, token)[0]


def logout(ctx: ServiceContext, token: str) -> None:
    """End the session the token belongs to; the token then lets no one in."""
    actor, session_id = _session(ctx, token)
    with ctx.uow(actor) as uow:
        uow.session.execute(delete(UserSession).where(UserSession.id == session_id))
        uow.audit("user.logout", "user", actor.user_id, None, {"session": session_id})
        uow.commit()


def change_password(
    ctx: ServiceContext, actor: Actor, current: str, new: str, client: str = ""
) -> None:
    """Replace the actor's password after checking the current one, and end all their
    sessions (the caller starts a new one for whoever changed it). A wrong current password
    counts as a failed login: a stolen session cannot guess at it faster than a login could."""
    keys = login_throttle.keys(actor.username, client)
    _checked_password("current_password", current)
    _check_new_password(new)
    with ctx.uow(SYSTEM, write=False) as uow:
        login_throttle.refuse_if_waiting(uow.session, keys, uow.now, ctx.settings)
        user = uow.session.get(User, actor.user_id)
    if user is None or not _hasher().verify(current, user.password_hash):
        with ctx.uow(SYSTEM) as uow:
            _count_failure(uow, keys, user, client, ctx.settings)
            uow.commit()
        raise ValidationFailed.one("current_password", "***", "the current password")
    password_hash = _hasher().hash(new)
    with ctx.uow(actor) as uow:
        uow.session.execute(
            update(User).where(User.id == actor.user_id).values(password_hash=password_hash)
        )
        mine = UserSession.user_id == actor.user_id
        ended = uow.session.scalar(select(func.count()).select_from(UserSession).where(mine))
        uow.session.execute(delete(UserSession).where(mine))
        uow.audit("user.password_changed", "user", actor.user_id, None, {"sessions_ended": ended})
        uow.commit()


def _check_new_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed.one("new_password", "***", f"at least {PASSWORD_MIN} characters")
    _checked_password("new_password", password)


def find_user(ctx: ServiceContext, username: str) -> int:
    with ctx.uow(SYSTEM, write=False) as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"user {username} not found")
    return user_id
