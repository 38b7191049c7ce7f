"""The unsubscribe link of a send: its purpose, its signed token and where it points.

Below both the send (which writes the link into each message) and the responses
(which apply it), so neither has to import the other.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from crm_host.sdk import make_token
from crm_marketing.models import Send

UNSUBSCRIBE = "marketing.unsubscribe"
#: How long an unsubscribe link works: as long as signed links may live.
LINK_LIFETIME = timedelta(days=366)


def unsubscribe_token(send: Send) -> str:
    """The signed token of a send's unsubscribe link."""
    return make_token(UNSUBSCRIBE, {"send": send.id}, expires_in=LINK_LIFETIME)


def unsubscribe_url(token: str) -> str:
    """Where the recipient clicks: the host's signed-link page (under ``PUBLIC_URL``,
    the address the console is reached at), or ``MARKETING_UNSUBSCRIBE_URL`` followed
    by the token when a public site of the company's own handles it."""
    prefix = current_app.config.get("MARKETING_UNSUBSCRIBE_URL")
    if not prefix:
        public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
        prefix = f"{public}/l/{UNSUBSCRIBE}/"
    return prefix + token
