"""API tokens: created once, shown once, stored as a SHA-256 hash.

The secret has 256 bits of randomness, so a fast hash is enough (unlike a password,
it cannot be guessed from a dictionary) and lookups stay one indexed query.

``last_used_at`` is accurate to :data:`LAST_USED_RESOLUTION`: writing it on every
request would make each read a write transaction (on SQLite, one writer at a time).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import ApiToken, User
from crm_host.records import audit

TOKEN_PREFIX = "crm_"
MAX_LIFETIME = timedelta(days=366)
#: How stale ``last_used_at`` may be before a request writes it again.
LAST_USED_RESOLUTION = timedelta(minutes=1)


#: Built once: SQLAlchemy keeps a statement's cache key, so each request only binds.
#: The user comes in the same query: every request with a token needs it.
_BY_DIGEST = (
    sa.select(ApiToken)
    .options(joinedload(ApiToken.user))
    .where(ApiToken.token_hash == sa.bindparam("digest"))
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: Iterable[str] = ("*",),
    expires_in: timedelta | None = timedelta(days=90),
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret (shown only now)."""
    scopes = [s.strip() for s in scopes if s and s.strip()]
    errors: dict[str, list[str]] = {}
    if not name.strip() or len(name) > 200:
        errors["name"] = ["Give the token a name of 1–200 characters."]
    if not scopes:
        errors["scopes"] = ["Give at least one permission pattern, e.g. host.customers.* or *."]
    if expires_in is not None and not timedelta(0) < expires_in <= MAX_LIFETIME:
        errors["expires_in"] = ["A token lives between 1 second and 366 days."]
    if errors:
        raise ValidationFailed("the token is not valid", details=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        token_hash=_digest(secret),
        scopes=scopes,
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def issue_token(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: Iterable[str],
    expires_in_days: int | None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and put its creation on the audit log; returns the
    row and the secret. ``expires_in_days=None`` makes a token that never expires.

    The API and the console both issue tokens through here, so both write the same
    audit entry (name and scopes, never the secret)."""
    token, secret = create_token(
        session,
        user,
        name=name,
        scopes=scopes,
        expires_in=timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(
        session,
        "create",
        "api_token",
        token.id,
        after={"name": token.name, "scopes": token.scopes},
    )
    return token, secret


def find_token(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired), or ``None``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(_BY_DIGEST, {"digest": _digest(secret)})
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return token


def record_use(session: Session, token: ApiToken, now: datetime | None = None) -> None:
    """Set ``last_used_at`` unless it is less than :data:`LAST_USED_RESOLUTION` old.

    The write has a transaction of its own, begun by the write: the session's
    transaction (which has only read the token) is rolled back first, because on
    SQLite a transaction that read cannot take the write lock once another
    connection has written, while one that starts by writing waits for the lock.
    """
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    token_id = token.id
    session.rollback()
    session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    session.commit()


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
