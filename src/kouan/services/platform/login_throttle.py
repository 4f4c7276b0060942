"""Slowing password guessing down without letting anyone lock a user out.

Failed logins are counted per account and per client (the address the request came from).
Past a threshold each further attempt must wait a delay that doubles with every failure, up to a
cap (exponential backoff, as OWASP's authentication guidance and most identity providers do it,
rather than a fixed lock). The account's delay holds only clients that have themselves failed
recently: whoever guesses at someone's password slows their own attempts, while the owner, from a
client that has not been failing, still logs in with the right password. A client's own delay
holds every attempt from it, whichever account it names, so one address cannot sweep accounts.

Storage stays bounded: keys are fixed-size hashes (a 100,000-character username costs 64
characters), counts older than a window are forgotten and pruned, and a hard cap evicts the
oldest rows.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import LoginFailure
from kouan.config import Settings
from kouan.domain.errors import DomainError


class TooManyAttempts(DomainError):
    """Logins from this client, or for this account from a failing client, must wait."""

    code = "too_many_attempts"

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"too many failed logins; try again in {wait_text(wait_seconds)}")
        self.wait_seconds = wait_seconds


def wait_text(seconds: int) -> str:
    """How long to wait, in English: seconds under a minute, else whole minutes rounded up."""
    return f"{seconds} s" if seconds < 60 else f"{math.ceil(seconds / 60)} min"


def _digest(kind: str, text: str) -> str:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def account_key(username: str) -> str:
    """The account's key; the same for a known and an unknown username of the same text."""
    return "a:" + _digest("account", username)


def client_key(address: str) -> str:
    return "c:" + _digest("client", address)


@dataclass(frozen=True)
class Keys:
    """The rows one login attempt is counted under."""

    account: str
    client: str


def keys(username: str, address: str) -> Keys:
    return Keys(account_key(username), client_key(address))


def delay_seconds(failures: int, threshold: int, settings: Settings) -> int:
    """The wait after `failures` recent failures: none below the threshold, then the first
    delay doubling with each failure, never beyond the cap."""
    if failures < threshold:
        return 0
    cap = settings.login_lock_minutes * 60
    return min(settings.login_delay_seconds * 2 ** min(failures - threshold, 32), cap)


def _window(settings: Settings) -> timedelta:
    return timedelta(hours=settings.login_failure_hours)


def _recent(session: Session, keys: Keys, now: datetime, settings: Settings) -> dict[str, Any]:
    rows = session.execute(
        select(LoginFailure.key, LoginFailure.failures, LoginFailure.last_failed_at).where(
            LoginFailure.key.in_((keys.account, keys.client)),
            LoginFailure.last_failed_at > now - _window(settings),
        )
    )
    return {key: (failures, at) for key, failures, at in rows}


def _remaining(row: tuple[int, datetime] | None, threshold: int, now: datetime, s: Settings) -> int:
    if row is None:
        return 0
    failures, at = row
    until = at + timedelta(seconds=delay_seconds(failures, threshold, s))
    return max(0, math.ceil((until - now).total_seconds()))


def refuse_if_waiting(session: Session, keys: Keys, now: datetime, settings: Settings) -> None:
    """Raise TooManyAttempts when this attempt comes before its wait is over."""
    recent = _recent(session, keys, now, settings)
    client = recent.get(keys.client)
    wait = _remaining(client, settings.login_client_max_failures, now, settings)
    if client is not None:
        # Only a client that has been failing is held by the account's delay.
        account = recent.get(keys.account)
        wait = max(wait, _remaining(account, settings.login_max_failures, now, settings))
    if wait > 0:
        raise TooManyAttempts(wait)


def record_failure(
    session: Session, keys: Keys, now: datetime, settings: Settings
) -> dict[str, int]:
    """Count a failure under the account and the client; returns the wait each key now has."""
    dialect = session.get_bind().dialect.name
    waits: dict[str, int] = {}
    thresholds = {
        keys.account: settings.login_max_failures,
        keys.client: settings.login_client_max_failures,
    }
    for key, threshold in thresholds.items():
        statement = (sqlite_insert if dialect == "sqlite" else pg_insert)(LoginFailure)
        fresh = LoginFailure.last_failed_at > now - _window(settings)
        upsert = statement.values(key=key, failures=1, last_failed_at=now).on_conflict_do_update(
            index_elements=[LoginFailure.key],
            set_={
                "failures": case((fresh, LoginFailure.failures + 1), else_=1),
                "last_failed_at": now,
            },
        )
        failures = session.execute(upsert.returning(LoginFailure.failures)).scalar_one()
        waits[key] = delay_seconds(failures, threshold, settings)
    _prune(session, now, settings)
    return waits


def forget(session: Session, key: str) -> None:
    """The account's owner logged in: its count starts again (a client's count is left to
    expire, or logging in to an account of one's own would reset one's guessing)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def _oldest(n: int) -> Select[Any]:
    return select(LoginFailure.key).order_by(LoginFailure.last_failed_at).limit(n)


def _prune(session: Session, now: datetime, settings: Settings) -> None:
    """Forget counts past the window; beyond the hard cap evict the oldest rows."""
    session.execute(
        delete(LoginFailure).where(LoginFailure.last_failed_at <= now - _window(settings))
    )
    rows = session.scalar(select(func.count()).select_from(LoginFailure)) or 0
    excess = rows - settings.login_failure_rows
    if excess > 0:
        doomed = list(session.scalars(_oldest(excess)))
        session.execute(delete(LoginFailure).where(LoginFailure.key.in_(doomed)))
