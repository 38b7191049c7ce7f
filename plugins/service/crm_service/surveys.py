"""Satisfaction surveys: a signed link issued when a ticket is resolved, answered once
on the host's public link page, a low score opening a follow-up ticket.

The link (purpose ``service.survey``) carries only the survey's id; the answer is
written by one compare-and-set UPDATE, so of two submits — a double click, two
tabs — exactly one counts and the other is politely refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Contact,
    Customer,
    LinkError,
    ValidationFailed,
    make_token,
    queue_email,
    read_token,
    utcnow,
)
from crm_service import tickets
from crm_service.models import Survey, Ticket

PURPOSE = "service.survey"
#: How long a customer has to answer.
LIFETIME = timedelta(days=30)
#: A CSAT at or below this opens a follow-up ticket (``SERVICE_SURVEY_LOW_SCORE``).
LOW_SCORE = 2
COMMENT_MAX = 2000


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
    tickets._on_timeline(session, ticket, "Satisfaction survey issued", actor=None, at=at)
    return survey


def mail_survey(session: Session, ticket_id: int, *, at: datetime | None = None) -> bool:
    """Put the survey link in the customer's mail outbox, once; ``True`` when it did.

    Nothing is sent for a ticket without a survey, an answered survey, or a customer
    (and contact) without an email address.
    """
    survey = survey_of(session, ticket_id)
    if survey is None or survey.mailed_at is not None or survey.answered_at is not None:
        return False
    ticket = tickets.get_ticket(session, ticket_id)
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


def _score(form: Mapping[str, Any], name: str, low: int, high: int, required: bool) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed(
            f"{name.upper()} must be a whole number from {low} to {high}",
            details={name: [f"A whole number from {low} to {high}."]},
        )
    return int(raw)


def low_score() -> int:
    """The CSAT at or below which a follow-up ticket opens."""
    return int(current_app.config.get("SERVICE_SURVEY_LOW_SCORE") or LOW_SCORE)


def answer(
    session: Session, survey_id: int, form: Mapping[str, Any], *, at: datetime | None = None
) -> Survey:
    """Record the customer's answer once; a low CSAT opens a follow-up ticket.

    Raises :class:`ValidationFailed` naming a bad field, and :class:`LinkError`
    (``used``) when the survey was answered already.
    """
    at = at or utcnow()
    csat = _score(form, "csat", 1, 5, required=True)
    nps = _score(form, "nps", 0, 10, required=False)
    comment = str(form.get("comment") or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ValidationFailed(
            f"the comment is at most {COMMENT_MAX} characters",
            details={"comment": [f"At most {COMMENT_MAX} characters."]},
        )
    # Compare-and-set: only an unanswered survey takes the answer.
    done = session.execute(
        sa.update(Survey)
        .where(Survey.id == survey_id, Survey.answered_at.is_(None))
        .values(csat=csat, nps=nps, comment=comment, answered_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise LinkError("invalid", "This link is not valid.")
    if done != 1:
        raise LinkError("used", "This survey has already been answered. Thank you!", 409)
    session.refresh(survey)
    ticket = tickets.get_ticket(session, survey.ticket_id)
    summary = f"Survey answered: CSAT {csat}" + (f", NPS {nps}" if nps is not None else "")
    tickets._on_timeline(
        session, ticket, summary, actor=None, body=comment, direction="inbound", at=at
    )
    if csat <= low_score():
        follow_up = tickets.open_ticket(
            session,
            customer_id=ticket.customer_id,
            contact_id=ticket.contact_id,
            ticket_type="complaint",
            subject=f"Low satisfaction (CSAT {csat}) on #{ticket.id}: {ticket.subject}"[:300],
            description=comment or "",
            priority="high",
            channel="system",
            category=ticket.category,
            department=ticket.department_id,
            source="service.survey",
            at=at,
        )
        survey.follow_up_ticket_id = follow_up.id
        session.flush()
    return survey


def handle_link(session: Session, token: str, form: Mapping[str, Any]) -> str:
    """The ``service.survey`` link handler: check the token, record the answer."""
    payload = read_token(PURPOSE, token)
    survey_id = payload.get("survey") if isinstance(payload, dict) else None
    if not isinstance(survey_id, int):
        raise LinkError("invalid", "This link is not valid.")
    answer(session, survey_id, form)
    return str(_l("Thank you for your answer."))


#: The groupings of :func:`results`.
GROUPS = ("agent", "queue", "category")


def results(session: Session, by: str) -> list[dict[str, Any]]:
    """Answered surveys grouped by the ticket's agent, queue or category.

    Per group: answers, mean CSAT (2 places), the share of satisfied answers (CSAT 4
    or 5, in %), NPS answers and the Net Promoter Score (promoters 9–10 minus
    detractors 0–6, in % of NPS answers; ``None`` without any).
    """
    from crm_host.sdk import Department, User

    if by not in GROUPS:
        raise ValidationFailed(
            f"cannot group by {by!r}", details={"by": ["One of: " + ", ".join(GROUPS) + "."]}
        )
    if by == "agent":
        key, label = Ticket.assignee_id, sa.func.coalesce(User.name, User.username)
        joined = sa.outerjoin(Ticket, User, User.id == Ticket.assignee_id)
    elif by == "queue":
        key, label = Ticket.department_id, Department.name
        joined = sa.outerjoin(Ticket, Department, Department.id == Ticket.department_id)
    else:
        key, label = Ticket.category, Ticket.category
        joined = Ticket
    promoters = sa.func.sum(sa.case((Survey.nps >= 9, 1), else_=0))
    detractors = sa.func.sum(sa.case((Survey.nps <= 6, 1), else_=0))
    satisfied = sa.func.sum(sa.case((Survey.csat >= 4, 1), else_=0))
    rows = session.execute(
        sa.select(
            key,
            label,
            sa.func.count(Survey.id),
            sa.func.sum(Survey.csat),
            satisfied,
            sa.func.count(Survey.nps),
            promoters,
            detractors,
        )
        .select_from(Survey)
        .join(joined, Ticket.id == Survey.ticket_id)
        .where(Survey.answered_at.is_not(None))
        .group_by(key, label)
        .order_by(sa.func.count(Survey.id).desc(), key)
    ).all()
    out = []
    for group, name, count, csat_sum, happy, nps_count, pro, con in rows:
        out.append(
            {
                "key": None if group is None else str(group),
                "label": name,
                "answers": count,
                "csat": round(int(csat_sum) / count, 2),
                "satisfied_percent": round(100 * int(happy) / count, 1),
                "nps_answers": nps_count,
                "nps": round(100 * (int(pro or 0) - int(con or 0)) / nps_count)
                if nps_count
                else None,
            }
        )
    return out
