"""Issuing a resolved ticket's satisfaction survey, and mailing its signed link.

The link (purpose ``service.survey``) carries only the survey's id, signed whenever
it is shown or mailed, so no credential is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from crm_host.sdk import Contact, Customer, make_token, queue_email, utcnow
from crm_service.models import Survey, Ticket
from crm_service.records import get_ticket, on_timeline

PURPOSE = "service.survey"
#: How long a customer has to answer.
LIFETIME = timedelta(days=30)


def link(survey: Survey) -> str:
    """Where the customer answers: the host's signed-link page, under ``PUBLIC_URL``.

    Each call signs a fresh token (any of them answers the one survey); it needs the
    application's secret, so an application context.
    """
    token = make_token(PURPOSE, {"survey": survey.id}, expires_in=LIFETIME)
    public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return f"{public}/l/{PURPOSE}/{token}"


def survey_of(session: Session, ticket_id: int) -> Survey | None:
    """The ticket's survey, if one was issued."""
    return session.scalar(sa.select(Survey).where(Survey.ticket_id == ticket_id))


def _address(session: Session, ticket: Ticket) -> str | None:
    """Where the survey goes: the ticket's contact, else the customer."""
    if ticket.contact_id is not None:
        contact = session.get(Contact, ticket.contact_id)
        if contact is not None and contact.email:
            return contact.email
    customer = session.get(Customer, ticket.customer_id)
    return customer.email if customer is not None and customer.email else None


def issue(session: Session, ticket: Ticket, *, at: datetime | None = None) -> Survey:
    """The ticket's survey, issued now if it has none, and on the timeline.

    A ticket resolved again after a reopen keeps its first survey: one per ticket.
    The link is mailed by :func:`mail_survey` when the resolution is delivered as an
    event, outside the resolving transaction.
    """
    existing = survey_of(session, ticket.id)
    if existing is not None:
        return existing
    at = at or utcnow()
    survey = Survey(ticket_id=ticket.id, issued_at=at)
    session.add(survey)
    session.flush()
    on_timeline(session, ticket, "Satisfaction survey issued", actor=None, at=at)
    return survey


def mail_survey(session: Session, ticket_id: int, *, at: datetime | None = None) -> bool:
    """Put the survey link in the customer's mail outbox, once; ``True`` when it did.

    Nothing is sent for a ticket without a survey, an answered survey, or a customer
    (and contact) without an email address.
    """
    survey = survey_of(session, ticket_id)
    if survey is None or survey.mailed_at is not None or survey.answered_at is not None:
        return False
    ticket = get_ticket(session, ticket_id)
    address = _address(session, ticket)
    if not address:
        return False
    url = link(survey)
    queue_email(
        session,
        to=address,
        subject=f"[#{ticket.id}] How did we do? / 请评价我们的服务",
        text=(
            f"Your request “{ticket.subject}” has been resolved.\n"
            f"您的工单“{ticket.subject}”已处理完毕，请花一分钟评价我们的服务：\n\n{url}\n"
        ),
    )
    survey.mailed_at = at or utcnow()
    session.flush()
    return True
