"""Key-customer inspections: plans that recur every N days and the records of each
inspection (巡查 patrol / 检查 check) done under them.

A plan covers a service point (an account) or one piece of equipment there. Its
``next_due`` moves to the inspection date plus the interval when an inspection is
recorded — never earlier than it was, so a late-entered old record cannot pull the
due date back. A plan is overdue once its due date has passed in the company's
timezone; :func:`flag_overdue` tells the responsible user once per due date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User, ValidationFailed, audit, notifications
from crm_host.sdk import validation as check
from crm_industry_power import auditing
from crm_industry_power.models import (
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    Account,
    Equipment,
    InspectionPlan,
    InspectionRecord,
)

PLUGIN = auditing.PLUGIN
#: The longest interval between inspections a plan may have (five years).
MAX_INTERVAL_DAYS = 1830


def _user(session: Session, user_id: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if user_id is None:
        return None
    if not isinstance(user_id, int) or session.get(User, user_id) is None:
        errors[field] = [f"No user with id {user_id}."]
        return None
    return user_id


def save_plan(
    session: Session, data: dict[str, Any], row: InspectionPlan | None = None
) -> InspectionPlan:
    """Create a plan (``row`` is ``None``) or change one; errors name the field."""
    merged = {
        **(
            {
                "account_id": row.account_id,
                "equipment_id": row.equipment_id,
                "interval_days": row.interval_days,
                "next_due": row.next_due,
                "responsible_id": row.responsible_id,
                "active": row.active,
            }
            if row
            else {"active": True, "equipment_id": None, "responsible_id": None}
        ),
        **data,
    }
    errors: dict[str, list[str]] = {}
    account = None
    if row is None:
        account = session.get(Account, merged.get("account_id") or 0)
        if account is None:
            errors["account_id"] = [f"No account with id {merged.get('account_id')}."]
    elif "account_id" in data and data["account_id"] != row.account_id:
        errors["account_id"] = ["A plan stays with its service point."]
    equipment_id = merged.get("equipment_id")
    if equipment_id is not None:
        item = session.get(Equipment, equipment_id)
        if item is None or item.account_id != merged.get("account_id"):
            errors["equipment_id"] = [f"No equipment {equipment_id} at this service point."]
    interval = merged.get("interval_days")
    if not isinstance(interval, int) or not 1 <= interval <= MAX_INTERVAL_DAYS:
        errors["interval_days"] = [f"Whole days from 1 to {MAX_INTERVAL_DAYS}."]
    merged["next_due"] = check.date(merged.get("next_due"), "next_due", errors, required=True)
    responsible = _user(session, merged.get("responsible_id"), "responsible_id", errors)
    if errors:
        raise ValidationFailed("the inspection plan is not valid", details=errors)
    before = auditing.snapshot(row) if row else None
    if row is None:
        row = InspectionPlan(account_id=merged["account_id"])
        session.add(row)
    if row.next_due != merged["next_due"]:
        row.flagged_due = None  # a new due date may be flagged again
    row.equipment_id = equipment_id
    row.interval_days = interval
    row.next_due = merged["next_due"]
    row.responsible_id = responsible
    row.active = bool(merged["active"])
    session.flush()
    auditing.saved(session, row, before)
    return row


def get_plan(session: Session, plan_id: int) -> InspectionPlan:
    """The plan with this id, or 404."""
    row = session.get(InspectionPlan, plan_id)
    if row is None:
        raise NotFound(f"no inspection plan with id {plan_id}")
    return row


def plans(
    session: Session,
    *,
    account_id: int | None = None,
    overdue_on: date | None = None,
    limit: int = 200,
) -> list[InspectionPlan]:
    """Plans by due date; with ``overdue_on`` only active ones due before that day."""
    query = sa.select(InspectionPlan).order_by(InspectionPlan.next_due, InspectionPlan.id)
    if account_id is not None:
        query = query.where(InspectionPlan.account_id == account_id)
    if overdue_on is not None:
        query = query.where(InspectionPlan.active, InspectionPlan.next_due < overdue_on)
    return list(session.scalars(query.limit(limit)))


def is_overdue(plan: InspectionPlan, today: date) -> bool:
    """Whether the plan's due date has passed (due today is not overdue yet)."""
    return plan.active and plan.next_due < today


def record(
    session: Session, plan: InspectionPlan, data: dict[str, Any], *, today: date
) -> InspectionRecord:
    """Record an inspection under ``plan`` and move its due date on; errors name the field.

    ``today`` is the company's local date: an inspection cannot be recorded in the future.
    """
    errors: dict[str, list[str]] = {}
    kind = check.choice(data.get("kind") or "patrol", "kind", errors, INSPECTION_KINDS)
    result = check.choice(data.get("result"), "result", errors, INSPECTION_RESULTS, required=True)
    inspected_on = check.date(data.get("inspected_on"), "inspected_on", errors, required=True)
    if inspected_on is not None and inspected_on > today:
        errors["inspected_on"] = [f"Not after today ({today.isoformat()})."]
    inspector = _user(session, data.get("inspector_id"), "inspector_id", errors)
    findings = check.text(data.get("findings"), "findings", errors, max_length=4000, multiline=True)
    follow_up = check.text(
        data.get("follow_up"), "follow_up", errors, max_length=4000, multiline=True
    )
    if result == "defect" and not findings:
        errors["findings"] = ["Describe the defect found."]
    check.fail_if(errors, "the inspection record is not valid")
    row = InspectionRecord(
        plan_id=plan.id,
        kind=kind,
        inspected_on=inspected_on,
        inspector_id=inspector,
        findings=findings or "",
        result=result,
        follow_up=follow_up,
    )
    session.add(row)
    following = inspected_on + timedelta(days=plan.interval_days)
    if following > plan.next_due:
        plan.next_due = following
        plan.flagged_due = None
    session.flush()
    auditing.saved(session, row, None)
    return row


def records(session: Session, plan_id: int) -> list[InspectionRecord]:
    """A plan's inspection records, newest first."""
    return list(
        session.scalars(
            sa.select(InspectionRecord)
            .where(InspectionRecord.plan_id == plan_id)
            .order_by(InspectionRecord.inspected_on.desc(), InspectionRecord.id.desc())
        )
    )


def flag_overdue(session: Session, today: date) -> list[int]:
    """Tell each overdue plan's responsible user, once per due date; returns the plans flagged.

    The flag is claimed by compare-and-set on ``flagged_due``, so a re-run, or two
    workers at once, never notify twice for the same due date.
    """
    candidates = session.scalars(
        sa.select(InspectionPlan.id).where(
            InspectionPlan.active,
            InspectionPlan.next_due < today,
            sa.or_(
                InspectionPlan.flagged_due.is_(None),
                InspectionPlan.flagged_due != InspectionPlan.next_due,
            ),
        )
    ).all()
    flagged = []
    for plan_id in candidates:
        plan = session.get(InspectionPlan, plan_id)
        claimed = session.execute(
            sa.update(InspectionPlan)
            .where(
                InspectionPlan.id == plan_id,
                InspectionPlan.next_due == plan.next_due,
                sa.or_(
                    InspectionPlan.flagged_due.is_(None),
                    InspectionPlan.flagged_due != plan.next_due,
                ),
            )
            .values(flagged_due=plan.next_due)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.expire(plan, ["flagged_due"])
        if claimed != 1:
            continue
        flagged.append(plan_id)
        account = session.get(Account, plan.account_id)
        responsible = session.get(User, plan.responsible_id) if plan.responsible_id else None
        if responsible is not None:
            notifications.notify(
                session,
                responsible,
                kind="power.inspection_overdue",
                title=f"Inspection overdue at {account.number}: due {plan.next_due.isoformat()}",
                body=f"Inspection plan {plan.id} at {account.service_point}.",
                link=f"/power/inspections/{plan.id}",
                plugin=PLUGIN,
                about=("power.account", account.id),
            )
        audit.record(
            session,
            "inspection_overdue",
            InspectionPlan.__tablename__,
            plan_id,
            after={"next_due": plan.next_due},
            plugin=PLUGIN,
        )
    session.flush()
    return flagged
