"""Email to ticket: one message, as raw bytes, becomes a ticket or a reply on one.

:func:`import_message` is the one path every intake shares (a folder of ``.eml``
files in :mod:`crm_service.mailfolder`, an IMAP mailbox in
:mod:`crm_service.mailbox`). A mail from a known customer opens a ticket with its
body as the first public message and its attachments stored through the host; a
reply finds its ticket by ``In-Reply-To``/``References`` or a ``[#123]`` tag in the
subject; a Message-ID seen before is skipped, so reading a mailbox twice is harmless.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Contact, CrmError, Customer, attachments
from crm_service import tickets
from crm_service.models import MailMessage, Ticket

#: ``[#123]`` in a subject names the ticket a mail belongs to.
TICKET_TAG = re.compile(r"\[#(\d{1,10})\]")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,490}>")
_TAGS = re.compile(r"<[^>]*>")
#: Where a mail's subject is empty.
NO_SUBJECT = "(no subject)"


class MailError(CrmError):
    """A mail that cannot become a ticket; the message says why."""

    status = 422


@dataclass
class Parsed:
    """What the import needs of a mail."""

    message_id: str
    sender: str
    subject: str
    body: str
    #: Message-IDs this mail answers, nearest first.
    answers: list[str]
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    sent_at: Any = None


@dataclass
class Outcome:
    """What became of one mail: ``created``, ``threaded`` or ``duplicate``."""

    status: str
    ticket_id: int
    message_id: str


def _ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _text(message: EmailMessage) -> str:
    """The mail's text: the plain part, else the HTML part without its tags."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError) as error:
        # An unknown charset or a broken transfer encoding: the mail cannot be read.
        raise MailError(f"the body cannot be decoded: {error}") from None
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = html.unescape(_TAGS.sub(" ", content))
        content = re.sub(r"[ \t]+", " ", content)
    return content.replace("\r\n", "\n").strip()


def parse(raw: bytes) -> Parsed:
    """Read a mail (RFC 5322 bytes) with the standard library's modern policy.

    Encoded-word subjects (``=?GB2312?B?…?=``) and bodies in any charset Python
    knows come out as text. Raises :class:`MailError` for a mail without a sender
    address or without anything to say.
    """
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        senders = getaddresses([str(message.get("From", ""))])
        subject = str(message.get("Subject", "") or "")
    except (ValueError, TypeError, IndexError) as error:
        raise MailError(f"the headers cannot be read: {error}") from None
    sender = next((addr for _name, addr in senders if "@" in addr), "")
    if not sender:
        raise MailError("the mail has no sender address (From)")
    assert isinstance(message, EmailMessage)
    body = _text(message)
    subject = " ".join(subject.split())[:300]
    if not body and not subject:
        raise MailError("the mail has neither a subject nor a body")
    found = _ids(str(message.get("Message-ID", "")))
    # A mail without a Message-ID is known by its bytes, so importing it twice is still once.
    message_id = found[0] if found else f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    answers = _ids(str(message.get("In-Reply-To", "")))
    answers += [i for i in reversed(_ids(str(message.get("References", "")))) if i not in answers]
    files = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if payload:
            files.append(
                (
                    part.get_filename() or "attachment",
                    part.get_content_type(),
                    payload,
                )
            )
    sent_at = None
    if message.get("Date"):
        try:
            sent_at = parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            sent_at = None
    return Parsed(message_id, sender.lower(), subject, body, answers, files, sent_at)


def customer_for(session: Session, address: str) -> tuple[Customer, int | None] | None:
    """The customer who writes from ``address`` (a contact's first, then a customer's own
    address), with the contact's id; ``None`` when nobody has it."""
    address = address.strip().lower()
    contact = session.execute(
        sa.select(Contact.customer_id, Contact.id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(sa.func.lower(Contact.email) == address, Customer.archived_at.is_(None))
        .order_by(Contact.id)
        .limit(1)
    ).first()
    if contact is not None:
        return session.get(Customer, contact[0]), contact[1]
    customer = session.scalar(
        sa.select(Customer)
        .where(sa.func.lower(Customer.email) == address, Customer.archived_at.is_(None))
        .order_by(Customer.id)
        .limit(1)
    )
    return (customer, None) if customer is not None else None


def _thread(session: Session, mail: Parsed, customer_id: int) -> Ticket | None:
    """The ticket a mail answers: by the Message-IDs it names, else by a ``[#id]`` tag.

    A tag only counts for the customer's own ticket, so a stranger cannot write into
    someone else's ticket by guessing its number.
    """
    if mail.answers:
        ticket_id = session.scalar(
            sa.select(MailMessage.ticket_id)
            .where(MailMessage.message_id.in_(mail.answers))
            .order_by(MailMessage.id)
            .limit(1)
        )
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    tag = TICKET_TAG.search(mail.subject)
    if tag:
        ticket = session.get(Ticket, int(tag.group(1)))
        if ticket is not None and ticket.customer_id == customer_id:
            return ticket
    return None


def import_message(
    session: Session,
    raw: bytes,
    *,
    source: str,
    storage: attachments.Storage | None = None,
    ticket_type: str = "inquiry",
    department: str | None = None,
) -> Outcome:
    """Turn one mail into a ticket or a message on its ticket, in the caller's transaction.

    Raises :class:`MailError` (or the ticket's own validation error) when it cannot;
    nothing of it is written then, as long as the caller rolls back.
    """
    mail = parse(raw)
    seen = session.scalar(
        sa.select(MailMessage.ticket_id).where(MailMessage.message_id == mail.message_id)
    )
    if seen is not None:
        return Outcome("duplicate", seen, mail.message_id)
    found = customer_for(session, mail.sender)
    if found is None:
        raise MailError(f"no customer or contact has the address {mail.sender}")
    customer, contact_id = found
    ticket = _thread(session, mail, customer.id)
    if ticket is not None:
        tickets.add_customer_message(session, ticket, body=mail.body)
        status = "threaded"
    else:
        ticket = tickets.open_ticket(
            session,
            customer_id=customer.id,
            contact_id=contact_id,
            ticket_type=ticket_type,
            subject=mail.subject or NO_SUBJECT,
            # The body is the first public message, not the description: every word
            # the customer sends is then a message, the first as much as the replies.
            description="",
            channel="email",
            department=department,
            source="email",
        )
        tickets.add_customer_message(session, ticket, body=mail.body)
        status = "created"
    session.add(
        MailMessage(
            message_id=mail.message_id,
            ticket_id=ticket.id,
            sender=mail.sender,
            subject=mail.subject,
            source=source,
        )
    )
    if mail.files and storage is not None:
        for filename, content_type, payload in mail.files:
            attachments.attach(
                session,
                storage,
                object_type=tickets.OBJECT,
                object_id=str(ticket.id),
                filename=filename,
                content_type=content_type,
                stream=io.BytesIO(payload),
            )
    session.flush()
    return Outcome(status, ticket.id, mail.message_id)
