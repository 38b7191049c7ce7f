"""The customer's answer to a survey, on the host's public link page: taken once, a
low score opening a follow-up ticket.

The answer is written by one compare-and-set UPDATE, so of two submits — a double
click, two tabs — exactly one counts and the other is politely refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm_host.sdk import LinkError, ValidationFailed, read_token, utcnow
from crm_service.models import Survey
from crm_service.records import get_ticket, on_timeline
from crm_service.surveys.issuing import PURPOSE
from crm_service.tickets.opening import open_ticket

#: A CSAT at or below this opens a follow-up ticket (``SERVICE_SURVEY_LOW_SCORE``).
LOW_SCORE = 2
COMMENT_MAX = 2000


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
    ticket = get_ticket(session, survey.ticket_id)
    summary = f"Survey answered: CSAT {csat}" + (f", NPS {nps}" if nps is not None else "")
    on_timeline(session, ticket, summary, actor=None, body=comment, direction="inbound", at=at)
    if csat <= low_score():
        follow_up = open_ticket(
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
