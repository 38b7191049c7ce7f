"""How the built-in channels hand a message over: email through the host's outbox,
SMS into ``marketing_sms_outbox``; during a send, both collected in an :class:`Outbox`
and written once a batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import queue_email, queue_emails
from crm_marketing import templates_engine, tracking
from crm_marketing.models import Campaign, Send, SmsMessage, Variant


def message_of(session: Session, campaign: Campaign, send: Send) -> tuple[str, str]:
    """The subject and body templates of a send: its variant's, or the campaign's own."""
    variant = session.get(Variant, send.variant_id) if send.variant_id else None
    if variant is not None:
        return variant.subject, variant.body
    return campaign.subject, campaign.body


class Outbox:
    """The messages the built-in adapters are handed during one send, written together
    when every message of the batch is rendered: one executemany a table."""

    def __init__(self) -> None:
        self.emails: list[dict[str, Any]] = []
        self.sms: list[dict[str, Any]] = []

    def write(self, session: Session) -> None:
        """Insert what was collected (emails through the host's outbox rules)."""
        queue_emails(session, self.emails)
        if self.sms:
            session.execute(sa.insert(SmsMessage), self.sms)
        self.emails, self.sms = [], []


#: Where a send keeps its :class:`Outbox` while it calls the adapters (``session.info``).
OUTBOX = "crm_marketing.outbox"


def _deliver_email(
    session: Session, campaign: Campaign, send: Send, context: dict[str, Any]
) -> None:
    subject, body = message_of(session, campaign, send)
    text = templates_engine.render(body, context)
    if "unsubscribe_url" not in body:
        # Every marketing email carries a way out, whether the author wrote one or not.
        text += f"\n\n--\n{context['unsubscribe_url']}"
    email = {
        "to": send.address or "",
        "subject": templates_engine.render(subject, context).strip()[:300],
        "text": text,
        # The HTML part carries the open pixel; the text part stays for plain readers.
        "html": tracking.html_of(text, tracking.open_url(send)),
    }
    outbox: Outbox | None = session.info.get(OUTBOX)
    if outbox is None:  # called outside a send, by a deployment's own code: queue it now
        queue_email(session, **email)
    else:
        outbox.emails.append(email)


def _deliver_sms(session: Session, campaign: Campaign, send: Send, context: dict[str, Any]) -> None:
    text = templates_engine.render(message_of(session, campaign, send)[1], context)
    sms = {"send_id": send.id, "to_number": send.address, "text": text}
    outbox: Outbox | None = session.info.get(OUTBOX)
    if outbox is None:
        session.add(SmsMessage(**sms))
    else:
        outbox.sms.append(sms)


#: How the built-in channels hand a message over: outbox tables that commit with the
#: batch; a gateway that sends them is one more job reading the outbox. A deployment
#: may swap one (tests do); plugins' channels bring their adapter with them.
ADAPTERS: dict[str, Callable[[Session, Campaign, Send, dict[str, Any]], None]] = {
    "email": _deliver_email,
    "sms": _deliver_sms,
}


def builtin(name: str) -> Callable[[Session, Campaign, Send, dict[str, Any]], None]:
    """The adapter of a built-in channel, looked up in :data:`ADAPTERS` when it runs."""

    def deliver(session: Session, campaign: Campaign, send: Send, context: dict[str, Any]) -> None:
        ADAPTERS[name](session, campaign, send, context)

    return deliver
