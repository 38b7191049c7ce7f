"""Round-robin assignment of leads to the sales users of the lead's department.

Eligible are the department's active members who may write leads; the department's
cursor remembers who got the last lead, so the turn passes on across requests and
processes. The cursor row is locked while it moves (``FOR UPDATE`` on PostgreSQL;
SQLite writers are serialised anyway).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.models import Membership, User
from crm_host.permissions import scope_of
from crm_sales.models import AssignmentCursor
from crm_sales.permissions import LEADS_WRITE


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
