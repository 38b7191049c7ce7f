"""Signed links: expiring, single-purpose tokens for surveys, portal access and tracking.

A token names its purpose (``survey``, ``portal``, ``track``…) and is signed with
the application's secret under a salt of that purpose, so a survey token can never
open the portal. Single-use tokens are consumed by compare-and-set: two clicks at
once, one wins.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import CrmError
from crm_host.core.models.links import SignedLinkUse

_PURPOSE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
MAX_AGE = timedelta(days=366)


class LinkError(CrmError):
    """A signed link that cannot be used; ``reason`` says why (shown to the visitor)."""

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(message, details={"token": [message]})
        self.reason = reason
        self.status = status


def _serializer(purpose: str, secret: str | None = None) -> URLSafeTimedSerializer:
    if not _PURPOSE.match(purpose):
        raise ValueError(f"link purpose {purpose!r} must be lower-case letters, digits, _ or .")
    return URLSafeTimedSerializer(
        secret or current_app.config["SECRET_KEY"], salt=f"crm.link.{purpose}"
    )


def make_token(
    purpose: str,
    payload: dict[str, Any],
    *,
    expires_in: timedelta = timedelta(days=14),
    single_use: bool = False,
    secret: str | None = None,
) -> str:
    """A signed token carrying ``payload`` (JSON data) for one purpose."""
    if not timedelta(0) < expires_in <= MAX_AGE:
        raise ValueError("a link lives between 1 second and 366 days")
    body = {"p": payload, "e": int(expires_in.total_seconds()), "s": single_use}
    return _serializer(purpose, secret).dumps(body)


def read_token(
    purpose: str, token: str, *, session: Session | None = None, secret: str | None = None
) -> dict[str, Any]:
    """The payload of a valid token; raises :class:`LinkError` saying why not.

    Single-use tokens are consumed here, in ``session``'s transaction (required for them).
    """
    serializer = _serializer(purpose, secret)
    if not token or len(token) > 4096:
        raise LinkError("malformed", "This link is not valid.")
    try:
        body, signed_at = serializer.loads(token, return_timestamp=True)
    except BadSignature:
        # A token of another purpose fails here too: its salt differs.
        raise LinkError("invalid", "This link is not valid.") from None
    if not isinstance(body, dict) or not {"p", "e", "s"} <= set(body):
        raise LinkError("invalid", "This link is not valid.")
    # Each token carries its own lifetime, so one serializer serves every expiry.
    if utcnow() - signed_at > timedelta(seconds=body["e"]):
        raise LinkError("expired", "This link has expired.", 410)
    if body["s"]:
        if session is None:
            raise ValueError("a single-use link is read inside a transaction: pass session")
        digest = hashlib.sha256(token.encode()).hexdigest()
        try:
            with session.begin_nested():
                session.add(SignedLinkUse(token_hash=digest, purpose=purpose, used_at=utcnow()))
        except IntegrityError:
            raise LinkError("used", "This link has already been used.", 410) from None
    return body["p"]
