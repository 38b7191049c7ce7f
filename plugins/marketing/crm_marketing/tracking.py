"""Tracking a campaign's messages: delivered, opened, clicked — through signed links.

- *opened*: each email carries an HTML part with a 1×1 image at the host's link page
  (``/l/marketing.open/<token>``); loading it records the response and answers the
  image.
- *clicked*: ``{{ track("https://…") }}`` in a message gives the recipient's link
  ``/l/marketing.click/<token>``; opening it records the click (and the open it
  implies) and redirects to the address signed into the token — only that one, so
  the link page is no open redirect.
- *delivered*: what a delivery adapter confirms (:func:`confirm_sms` for the SMS
  outbox, or ``POST …/campaigns/<id>/responses`` with ``delivered`` for a gateway).
- *converted*: not a link — purchases from the host's transaction union in the
  attribution window (:func:`crm_marketing.campaigns.attributed_revenue`).

Every response is recorded once per send (:func:`responses.record_response`):
image proxies and scanners load pixels and links more than once.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import escape
from typing import Any

from flask import Response, current_app, redirect
from sqlalchemy.orm import Session

from crm_host.sdk import LinkError, NotFound, make_token, read_token, utcnow
from crm_marketing import templates_engine
from crm_marketing.models import Send, SmsMessage
from crm_marketing.responses import record_response

OPEN = "marketing.open"
CLICK = "marketing.click"
#: As long as signed links may live: a message is opened weeks after it came.
LIFETIME = timedelta(days=366)
_URL = re.compile(r"(https?://[^\s<>\"']+)")
#: A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def link(purpose: str, token: str) -> str:
    """The address of a signed link on the host's link page, under ``PUBLIC_URL``."""
    public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return f"{public}/l/{purpose}/{token}"


def open_url(send: Send) -> str:
    """The open pixel's address for a send."""
    return link(OPEN, make_token(OPEN, {"send": send.id}, expires_in=LIFETIME))


def click_url(send: Send, url: Any) -> str:
    """The tracked address of ``url`` (an absolute http(s) address) for a send."""
    target = templates_engine.trackable(url)
    return link(CLICK, make_token(CLICK, {"send": send.id, "url": target}, expires_in=LIFETIME))


def html_of(text: str, pixel: str) -> str:
    """The email's HTML part: the text, escaped, its addresses made links, and the
    open pixel at the end."""
    parts = []
    for n, piece in enumerate(_URL.split(text)):
        # split() with a group gives the addresses at odd positions.
        parts.append(f'<a href="{escape(piece)}">{escape(piece)}</a>' if n % 2 else escape(piece))
    body = "".join(parts).replace("\n", "<br>\n")
    return (
        f"<!doctype html><html><body><div>{body}</div>"
        f'<img src="{escape(pixel)}" width="1" height="1" alt="" style="display:block">'
        "</body></html>"
    )


def _send_of(session: Session, purpose: str, token: str) -> tuple[Send, dict[str, Any]]:
    payload = read_token(purpose, token)
    send_id = payload.get("send")
    send = session.get(Send, send_id) if isinstance(send_id, int) else None
    if send is None:
        raise NotFound("this link points at a message that no longer exists")
    return send, payload


def opened(session: Session, token: str) -> Response:
    """The open pixel: record ``opened`` once, answer the image."""
    send, _ = _send_of(session, OPEN, token)
    record_response(session, send, "opened")
    return Response(PIXEL, mimetype="image/gif")


def clicked(session: Session, token: str) -> Response:
    """A tracked link: record ``clicked`` (and ``opened``, which a click implies, for
    mail read with images off) once each, then redirect to the signed address."""
    send, payload = _send_of(session, CLICK, token)
    try:
        target = templates_engine.trackable(payload.get("url"))
    except Exception:
        raise LinkError("invalid", "This link is not valid.") from None
    record_response(session, send, "opened")
    record_response(session, send, "clicked")
    return redirect(target, code=302)


def confirm_sms(session: Session, sms_id: int) -> bool:
    """An SMS gateway confirms delivery: mark the outbox row and record ``delivered``
    on the send; returns whether this was news (a repeated receipt changes nothing)."""
    sms = session.get(SmsMessage, sms_id)
    if sms is None:
        raise NotFound(f"no SMS {sms_id} in the outbox")
    if sms.delivered_at is None:
        sms.delivered_at = utcnow()
    send = session.get(Send, sms.send_id)
    return record_response(session, send, "delivered") if send is not None else False
