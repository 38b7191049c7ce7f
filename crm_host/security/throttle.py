"""Sign-in throttling and lock-out, shared by every process through the database.

Failures are counted per account and per client address in a sliding window. An
account that fails ``CRM_LOGIN_MAX_FAILURES`` times (default 5) in
``CRM_LOGIN_WINDOW_SECONDS`` is locked for ``CRM_LOGIN_LOCK_SECONDS``; an address
gets ten times the allowance, so one office behind a NAT is not locked out by one
person's typos, while password spraying from it still is. While locked, even the
right password is refused, with the same answer as a wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.models.security import LoginThrottle
from crm_host.records import audit

DEFAULTS = {"LOGIN_MAX_FAILURES": 5, "LOGIN_WINDOW_SECONDS": 900, "LOGIN_LOCK_SECONDS": 900}
ADDRESS_FACTOR = 10


def _settings(config: Mapping[str, Any]) -> tuple[int, timedelta, timedelta]:
    return (
        int(config.get("LOGIN_MAX_FAILURES", DEFAULTS["LOGIN_MAX_FAILURES"])),
        timedelta(
            seconds=int(config.get("LOGIN_WINDOW_SECONDS", DEFAULTS["LOGIN_WINDOW_SECONDS"]))
        ),
        timedelta(seconds=int(config.get("LOGIN_LOCK_SECONDS", DEFAULTS["LOGIN_LOCK_SECONDS"]))),
    )


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"user:{username.casefold()[:150]}", 1)]
    if address:
        keys.append((f"ip:{address[:64]}", ADDRESS_FACTOR))
    return keys


def locked(
    session: Session, username: str, address: str | None, now: datetime | None = None
) -> bool:
    """Whether sign-in for this account or from this address is locked right now."""
    now = now or utcnow()
    for key, _factor in _keys(username, address):
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return True
    return False


def record_failure(
    session: Session,
    config: Mapping[str, Any],
    username: str,
    address: str | None,
    now: datetime | None = None,
) -> bool:
    """Count a failed sign-in; returns whether it locked the account or address."""
    now = now or utcnow()
    limit, window, lock = _settings(config)
    newly_locked = False
    for key, factor in _keys(username, address):
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
            session.add(row)
        if now - row.window_started_at > window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit * factor and (row.locked_until is None or row.locked_until <= now):
            row.locked_until = now + lock
            newly_locked = True
            audit.record(
                session,
                "lockout",
                "login",
                key,
                after={"until": row.locked_until, "failures": row.failures},
            )
    return newly_locked


def record_success(session: Session, username: str) -> None:
    """A good sign-in clears the account's failures (not the address's)."""
    row = session.get(LoginThrottle, _keys(username, None)[0][0])
    if row is not None:
        session.delete(row)


def user_key(username: str) -> str:
    """The throttle key of an account."""
    return _keys(username, None)[0][0]


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return f"ip:{address[:64]}"


def entries(session: Session, now: datetime | None = None) -> list[LoginThrottle]:
    """Every counted key, locked ones first, then by failures (for ``crm throttle list``)."""
    now = now or utcnow()
    rows = list(session.scalars(select(LoginThrottle)))
    return sorted(
        rows,
        key=lambda r: (not (r.locked_until is not None and r.locked_until > now), -r.failures),
    )


def clear(session: Session, key: str) -> LoginThrottle | None:
    """Forget a key's failures and lift its lock, audited; returns the row it removed."""
    row = session.get(LoginThrottle, key)
    if row is None:
        return None
    audit.record(
        session,
        "unlock",
        "login",
        key,
        before={"failures": row.failures, "locked_until": row.locked_until},
    )
    session.delete(row)
    return row
