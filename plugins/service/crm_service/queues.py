"""Department queues: who the agents are, and whose turn it is (round robin)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.models import Membership, User
from crm_service.models import QueueCursor


def agents(session: Session, department_id: int) -> list[User]:
    """The active members of a department, by id: the agents its queue rotates through."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.department_id == department_id, User.is_active.is_(True))
            .order_by(User.id)
            .distinct()
        )
    )


def next_agent(session: Session, department_id: int) -> User | None:
    """The agent after the one chosen last in this department, wrapping round; moves
    the department's cursor to them. ``None`` when the department has no agents."""
    people = agents(session, department_id)
    if not people:
        return None
    cursor = session.scalar(
        sa.select(QueueCursor).where(QueueCursor.department_id == department_id).with_for_update()
    )
    if cursor is None:
        cursor = QueueCursor(department_id=department_id, last_user_id=None)
        session.add(cursor)
    last = cursor.last_user_id or 0
    chosen = next((u for u in people if u.id > last), people[0])
    cursor.last_user_id = chosen.id
    session.flush()
    return chosen
