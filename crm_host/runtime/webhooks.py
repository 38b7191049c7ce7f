"""Outgoing webhooks: subscriptions, signing, and the delivery job (``host.webhook``).

Each event matching an active subscription becomes a delivery job, retried with
backoff and parked after the last attempt like any other. The receiver gets a JSON
POST; ``X-Crm-Signature`` is ``sha256=`` + HMAC-SHA256, keyed with the subscription's
secret, of ``"<X-Crm-Timestamp>." + body`` — the timestamp is signed so an old
request cannot be replayed later. ``X-Crm-Delivery`` is the delivery's idempotency
key: a receiver that sees it twice has been sent the same delivery again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host import __version__
from crm_host.core.errors import NotFound, ValidationFailed
from crm_host.core.models import OutboxEvent, WebhookSubscription
from crm_host.runtime.context import JobContext
from crm_host.runtime.events import event_names
from crm_host.runtime.webhook_targets import AllowList, TargetRefused, check_target, post_to_address

SIGNATURE_HEADER = "X-Crm-Signature"
TIMESTAMP_HEADER = "X-Crm-Timestamp"
EVENT_HEADER = "X-Crm-Event"
DELIVERY_HEADER = "X-Crm-Delivery"
#: A receiver should refuse signatures older than this many seconds.
SIGNATURE_TOLERANCE = 300
MIN_SECRET_LENGTH = 16


class WebhookError(Exception):
    """A delivery the receiver did not accept (an answer other than 2xx, or no answer)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature header value of ``body`` sent at ``timestamp`` (Unix seconds)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance: float = SIGNATURE_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether a received request is signed with ``secret`` and recent; for receivers."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")


def allow_list(session: Session) -> AllowList:
    """The hosts and networks the admin lets webhooks reach although they are internal."""
    from crm_host.runtime.current import runtime_of

    return AllowList.parse(runtime_of(session).settings.webhook_allowed_hosts)


def _check_url(url: Any, allowed: AllowList) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed("the webhook needs a URL", details={"url": ["Required."]})
    url = url.strip()
    problem = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts, problem = None, "Not a URL."
    if problem is None and (parts is None or parts.scheme not in ("http", "https")):
        problem = "Must start with http:// or https://."
    elif problem is None and not parts.hostname:
        problem = "Must name a host."
    elif problem is None and (len(url) > 2000 or any(c.isspace() for c in url)):
        problem = "At most 2000 characters, without spaces."
    if problem is None:
        try:
            check_target(url, allowed, unresolved_ok=True)
        except TargetRefused as refused:
            problem = str(refused)
    if problem:
        raise ValidationFailed(
            f"the webhook URL is not valid: {problem}", details={"url": [problem]}
        )
    return url


def _check_events(session: Session, events: Any) -> list[str]:
    from crm_host.core.host import host_of

    if isinstance(events, str):
        events = [e.strip() for e in events.split(",") if e.strip()]
    if (
        not isinstance(events, list | tuple)
        or not events
        or not all(isinstance(e, str) for e in events)
    ):
        raise ValidationFailed(
            "name the events to send (or * for all)", details={"events": ["Required."]}
        )
    known = set(event_names(host_of(session).plugins))
    unknown = sorted({e for e in events if e != "*" and e not in known})
    if unknown:
        message = f"unknown event(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise ValidationFailed(message, details={"events": [message]})
    return sorted(set(events))


def _check_secret(secret: Any) -> str:
    if secret is None:
        return "whsec_" + secrets.token_urlsafe(32)
    if not isinstance(secret, str) or not (MIN_SECRET_LENGTH <= len(secret) <= 200):
        problem = f"Between {MIN_SECRET_LENGTH} and 200 characters."
        raise ValidationFailed(
            f"the secret is not usable: {problem}", details={"secret": [problem]}
        )
    return secret


def add_subscription(
    session: Session,
    *,
    url: str,
    events: Iterable[str] | str,
    secret: str | None = None,
    description: str = "",
    active: bool = True,
) -> WebhookSubscription:
    """Subscribe ``url`` to ``events`` (hook names, or ``*``); a secret is made if not given."""
    subscription = WebhookSubscription(
        url=_check_url(url, allow_list(session)),
        events=_check_events(session, list(events) if not isinstance(events, str) else events),
        secret=_check_secret(secret),
        description=(description or "")[:200],
        active=bool(active),
    )
    session.add(subscription)
    session.flush()
    return subscription


def get_subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    """The subscription with this id, or :class:`NotFound`."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(f"no webhook with id {subscription_id}")
    return subscription


def update_subscription(
    session: Session, subscription_id: int, **changes: Any
) -> WebhookSubscription:
    """Change ``url``, ``events``, ``secret``, ``description`` or ``active`` of a subscription."""
    subscription = get_subscription(session, subscription_id)
    checks = {
        "url": lambda v: _check_url(v, allow_list(session)),
        "events": lambda v: _check_events(session, v),
        "secret": lambda v: _check_secret(v if v is not None else ""),
        "description": lambda v: str(v or "")[:200],
        "active": bool,
    }
    for name, value in changes.items():
        if name not in checks:
            raise ValidationFailed(f"a webhook has no field {name}", details={name: ["Unknown."]})
        setattr(subscription, name, checks[name](value))
    session.flush()
    return subscription


def remove_subscription(session: Session, subscription_id: int) -> None:
    """Delete a subscription; its deliveries still queued are dropped when they come up."""
    session.delete(get_subscription(session, subscription_id))
    session.flush()


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    """Every subscription, oldest first."""
    return list(session.scalars(sa.select(WebhookSubscription).order_by(WebhookSubscription.id)))


def body_of(event: OutboxEvent) -> bytes:
    """The JSON body a receiver gets for ``event``."""
    document = {
        "id": event.id,
        "event": event.name,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def deliver_webhook(job: JobContext) -> None:
    """The ``host.webhook`` job: POST one event to one subscription, signed."""
    from crm_host.runtime.current import runtime_of

    settings = runtime_of(job.session).settings
    allowed = AllowList.parse(settings.webhook_allowed_hosts)
    subscription = job.session.get(WebhookSubscription, job.args.get("subscription_id"))
    event = job.session.get(OutboxEvent, job.event_id) if job.event_id else None
    if subscription is None or not subscription.active or event is None:
        return  # removed or paused since: nothing to send, nothing to retry
    url, secret, body = subscription.url, subscription.secret, body_of(event)
    event_name = event.name
    # No transaction may stay open while the receiver takes its time (on SQLite it
    # would hold the write lock).
    job.session.commit()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"crm-host/{__version__}",
        EVENT_HEADER: event_name,
        DELIVERY_HEADER: job.idempotency_key or str(job.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        # Resolved and checked again now (DNS may have changed), and sent to that address.
        address = check_target(url, allowed, unresolved_ok=False)
    except TargetRefused as refused:
        raise WebhookError(str(refused)) from None
    try:
        response = post_to_address(
            url,
            address,
            data=body,
            headers=headers,
            timeout=settings.webhooks_timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise WebhookError(f"{url}: {error}") from None
    if not 200 <= response.status_code < 300:
        raise WebhookError(f"{url} answered HTTP {response.status_code}: {response.text[:200]}")
