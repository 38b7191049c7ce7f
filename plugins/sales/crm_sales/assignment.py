"""Assignment of leads to the sales users of the lead's department: round-robin (the
default) or least-loaded with a capacity per user, chosen per department.

Eligible are the department's active members who may write leads. Round-robin: the
department's cursor remembers who got the last lead, so the turn passes on across
requests and processes. Least-loaded: the eligible user with the fewest open leads and
opportunities below their capacity; when everyone is full the lead stays unassigned
and the reason says so. The department's row is locked while it decides (``FOR
UPDATE`` on PostgreSQL; SQLite writers are serialised anyway), so two captures at
once cannot both take the last free place.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Department, Membership, NotFound, User, ValidationFailed, scope_of
from crm_sales.models import (
    AssignmentCursor,
    AssignmentMethod,
    AssignmentRule,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStatus,
    SalesCapacity,
)
from crm_sales.permissions import LEADS_WRITE

OPEN_LEADS = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
MAX_CAPACITY = 100_000
FULL = "every sales user of the department is at capacity"


class Choice(NamedTuple):
    """The owner chosen for a lead, or ``None`` with the reason nobody was."""

    user_id: int | None
    reason: str | None = None


def eligible_users(session: Session, department_id: int) -> list[User]:
    """Active members of the department holding ``sales.leads.write``, by id."""
    members = session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.department_id == department_id, User.is_active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return [u for u in members if scope_of(session, u, LEADS_WRITE) is not None]


def next_owner(session: Session, department_id: int) -> int | None:
    """The user whose turn it is in the department, advancing the cursor; ``None`` when
    nobody there can take leads."""
    users = eligible_users(session, department_id)
    if not users:
        return None
    cursor = session.scalar(
        sa.select(AssignmentCursor)
        .where(AssignmentCursor.department_id == department_id)
        .with_for_update()
    )
    if cursor is None:
        cursor = AssignmentCursor(department_id=department_id, last_user_id=None)
        session.add(cursor)
    last = cursor.last_user_id or 0
    chosen = next((u for u in users if u.id > last), users[0])
    cursor.last_user_id = chosen.id
    session.flush()
    return chosen.id


def method_for(session: Session, department_id: int) -> AssignmentMethod:
    """The department's assignment method (round-robin unless it chose otherwise)."""
    rule = session.get(AssignmentRule, department_id)
    return rule.method if rule else AssignmentMethod.ROUND_ROBIN


def set_method(session: Session, department_id: int, method: str) -> AssignmentRule:
    """Choose how the department's new leads are assigned."""
    if session.get(Department, department_id) is None:
        raise NotFound(f"no department with id {department_id}")
    try:
        chosen = AssignmentMethod(method)
    except ValueError:
        raise ValidationFailed(
            "the assignment method is not valid",
            details={"method": [f"One of {', '.join(m.value for m in AssignmentMethod)}."]},
        ) from None
    rule = session.get(AssignmentRule, department_id)
    if rule is None:
        rule = AssignmentRule(department_id=department_id, method=chosen)
        session.add(rule)
    rule.method = chosen
    session.flush()
    return rule


def set_capacity(session: Session, user_id: int, max_open: int | None) -> SalesCapacity | None:
    """Cap the open leads and opportunities the user is given; ``None`` lifts the cap."""
    if session.get(User, user_id) is None:
        raise NotFound(f"no user with id {user_id}")
    current = session.get(SalesCapacity, user_id)
    if max_open is None:
        if current is not None:
            session.delete(current)
            session.flush()
        return None
    if isinstance(max_open, bool) or not isinstance(max_open, int):
        raise ValidationFailed(
            "the capacity is not valid", details={"capacity": ["A whole number."]}
        )
    if not 0 <= max_open <= MAX_CAPACITY:
        raise ValidationFailed(
            "the capacity is not valid", details={"capacity": [f"From 0 to {MAX_CAPACITY}."]}
        )
    if current is None:
        current = SalesCapacity(user_id=user_id, max_open=max_open)
        session.add(current)
    current.max_open = max_open
    session.flush()
    return current


def loads(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Open leads plus open opportunities owned by each user."""
    counts = dict.fromkeys(user_ids, 0)
    if not user_ids:
        return counts
    for model, open_filter in (
        (Lead, Lead.status.in_(OPEN_LEADS)),
        (Opportunity, Opportunity.status == OpportunityStatus.OPEN),
    ):
        rows = session.execute(
            sa.select(model.owner_id, sa.func.count())
            .where(model.owner_id.in_(user_ids), open_filter)
            .group_by(model.owner_id)
        )
        for owner_id, count in rows:
            counts[owner_id] += count
    return counts


def capacities(session: Session, user_ids: list[int]) -> dict[int, int]:
    """The capacity of each user that has one."""
    if not user_ids:
        return {}
    rows = session.execute(
        sa.select(SalesCapacity.user_id, SalesCapacity.max_open).where(
            SalesCapacity.user_id.in_(user_ids)
        )
    )
    return {user_id: max_open for user_id, max_open in rows}


def least_loaded(session: Session, department_id: int) -> Choice:
    """The eligible user with the lowest open load below capacity; ties go to the
    username, then the id, so the choice is the same every time."""
    users = eligible_users(session, department_id)
    if not users:
        return Choice(None, "nobody in the department may take leads")
    ids = [u.id for u in users]
    load = loads(session, ids)
    caps = capacities(session, ids)
    free = [u for u in users if u.id not in caps or load[u.id] < caps[u.id]]
    if not free:
        return Choice(None, FULL)
    chosen = min(free, key=lambda u: (load[u.id], u.username, u.id))
    return Choice(chosen.id)


def choose_owner(session: Session, department_id: int) -> Choice:
    """The owner of a new lead of the department, by the department's method."""
    rule = session.scalar(
        sa.select(AssignmentRule)
        .where(AssignmentRule.department_id == department_id)
        .with_for_update()
    )
    if rule is not None and rule.method is AssignmentMethod.LEAST_LOADED:
        return least_loaded(session, department_id)
    owner = next_owner(session, department_id)
    return Choice(owner, None if owner else "nobody in the department may take leads")


def overview(session: Session, department_id: int) -> dict[str, object]:
    """The department's method, and each eligible user's open load and capacity."""
    if session.get(Department, department_id) is None:
        raise NotFound(f"no department with id {department_id}")
    users = eligible_users(session, department_id)
    ids = [u.id for u in users]
    load = loads(session, ids)
    caps = capacities(session, ids)
    return {
        "department_id": department_id,
        "method": method_for(session, department_id).value,
        "sellers": [
            {
                "user_id": u.id,
                "username": u.username,
                "open": load[u.id],
                "capacity": caps.get(u.id),
            }
            for u in sorted(users, key=lambda u: (u.username, u.id))
        ],
    }
