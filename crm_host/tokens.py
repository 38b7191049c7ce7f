"""API tokens: created once, shown once, stored as a SHA-256 hash.

The secret has 256 bits of randomness, so a fast hash is enough (unlike a password,
it cannot be guessed from a dictionary) and lookups stay one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.db import utcnow
from crm_host.errors import ValidationFailed
from crm_host.models import ApiToken, User

TOKEN_PREFIX = "crm_"
MAX_LIFETIME = timedelta(days=366)


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


def find_token(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired), or ``None``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return token


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
