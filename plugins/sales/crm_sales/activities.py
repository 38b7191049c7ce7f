"""Activities: calls, meetings and tasks with due times; reminded once, timeline when done.

An activity is about a customer, a lead or an opportunity (an opportunity's or a
converted lead's customer is filled in, so completed work lands on that customer's
timeline). Reminders come from the ``sales.remind`` job the host's scheduler runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User, ValidationFailed, notify, timeline, utcnow
from crm_host.sdk import validation as check
from crm_sales import checks
from crm_sales.models import Activity, ActivityKind, Lead, Opportunity

#: How long before it is due an activity's owner is reminded.
REMIND_AHEAD = timedelta(minutes=15)
#: The timeline channel of each kind of activity.
CHANNELS = {ActivityKind.CALL: "phone", ActivityKind.MEETING: "meeting", ActivityKind.TASK: "note"}


def get_activity(session: Session, activity_id: int) -> Activity:
    """The activity with this id, or :class:`NotFound`."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"no activity with id {activity_id}")
    return activity


def create_activity(
    session: Session, data: Mapping[str, Any], *, actor: User | None = None
) -> Activity:
    """Plan an activity; it needs a kind, a subject, a due time and what it is about."""
    errors: check.Errors = {}
    try:
        kind = ActivityKind(data.get("kind"))
    except ValueError:
        errors["kind"] = ["One of: " + ", ".join(k.value for k in ActivityKind) + "."]
        kind = ActivityKind.TASK
    subject = check.text(data.get("subject"), "subject", errors, max_length=300, required=True)
    notes = data.get("notes")
    if notes is not None and len(str(notes)) > 10_000:
        errors["notes"] = ["At most 10,000 characters."]
    due_at = data.get("due_at")
    if not isinstance(due_at, datetime) or due_at.tzinfo is None:
        errors["due_at"] = ["A date and time with its timezone."]
    customer_id = data.get("customer_id")
    lead_id = data.get("lead_id")
    opportunity_id = data.get("opportunity_id")
    if opportunity_id is not None:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            errors["opportunity_id"] = [f"No opportunity with id {opportunity_id}."]
        else:
            customer_id = customer_id or opportunity.customer_id
    if lead_id is not None:
        lead = session.get(Lead, lead_id)
        if lead is None:
            errors["lead_id"] = [f"No lead with id {lead_id}."]
        else:
            customer_id = customer_id or lead.customer_id
    if customer_id is not None:
        check.customer_ref(session, customer_id, "customer_id", errors)
    if customer_id is None and lead_id is None:
        errors["customer_id"] = ["Say which customer, lead or opportunity it is about."]
    owner_id = checks.user_id(session, data.get("owner_id"), "owner_id", errors)
    check.fail_if(errors, "the activity is not valid")
    activity = Activity(
        kind=kind,
        subject=subject or "",
        notes=notes,
        customer_id=customer_id,
        lead_id=lead_id,
        opportunity_id=opportunity_id,
        owner_id=owner_id if owner_id is not None else (actor.id if actor else None),
        # Kept in UTC from the start, so what the caller gets back is what is stored.
        due_at=due_at.astimezone(UTC),
    )
    session.add(activity)
    session.flush()
    return activity


def complete(
    session: Session, activity: Activity, *, actor: User | None = None, at: datetime | None = None
) -> Activity:
    """Mark an activity done and put it on its customer's timeline; doing it twice is refused."""
    if activity.done_at is not None:
        raise ValidationFailed("the activity is done already", details={"done_at": ["Set."]})
    activity.done_at = at or utcnow()
    if activity.customer_id is not None:
        timeline.add_entry(
            session,
            customer_id=activity.customer_id,
            channel=CHANNELS[activity.kind],
            direction="outbound" if activity.kind is ActivityKind.CALL else "internal",
            subject=activity.subject,
            body=activity.notes,
            source_plugin="sales",
            occurred_at=activity.done_at,
            author=actor,
            about=("sales.activity", activity.id),
        )
    session.flush()
    return activity


def send_reminders(session: Session, *, now: datetime | None = None) -> int:
    """Notify owners of activities due within :data:`REMIND_AHEAD`, once each; returns
    how many were sent. Safe to run again: reminded activities are skipped."""
    now = now or utcnow()
    due = session.scalars(
        sa.select(Activity)
        .where(
            Activity.done_at.is_(None),
            Activity.reminded_at.is_(None),
            Activity.owner_id.is_not(None),
            Activity.due_at <= now + REMIND_AHEAD,
        )
        .order_by(Activity.due_at, Activity.id)
        .limit(1000)
    )
    sent = 0
    for activity in due:
        owner = session.get(User, activity.owner_id)
        if owner is not None and owner.is_active:
            notify(
                session,
                owner,
                kind="sales.activity_due",
                title=f"Due {activity.due_at:%Y-%m-%d %H:%M} UTC: {activity.subject}"[:300],
                plugin="sales",
                about=("sales.activity", activity.id),
            )
            sent += 1
        activity.reminded_at = now
    session.flush()
    return sent
