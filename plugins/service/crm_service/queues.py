"""Department queues: who the agents are, and whose turn it is (round robin)."""

from __future__ import annotations

import fnmatch

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Membership, RolePermission, User
from crm_service.models import QueueCursor

#: What an agent must be able to do with a ticket handed to them.
WORK = "service.tickets.write"


def agents(session: Session, department_id: int) -> list[User]:
    """The department's active members whose role there lets them work tickets (a
    pattern matching ``service.tickets.write``), by id: who its queue rotates through.

    Viewers and members without a role are left out: a ticket given to them would sit.
    """
    rows = session.execute(
        sa.select(User, RolePermission.permission)
        .join(Membership, Membership.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == Membership.role_id)
        .where(Membership.department_id == department_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    chosen: dict[int, User] = {}
    for user, pattern in rows:
        if fnmatch.fnmatchcase(WORK, pattern):
            chosen.setdefault(user.id, user)
    return list(chosen.values())


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


def least_loaded_agent(session: Session, department_id: int) -> User | None:
    """The department's agent with the fewest open tickets assigned (the lowest id on a
    tie); ``None`` when the department has no agents."""
    from crm_service.models import Ticket
    from crm_service.workflow import OPEN_STATUSES

    people = agents(session, department_id)
    if not people:
        return None
    load = dict(
        session.execute(
            sa.select(Ticket.assignee_id, sa.func.count())
            .where(
                Ticket.assignee_id.in_([u.id for u in people]),
                Ticket.status.in_(OPEN_STATUSES),
            )
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return min(people, key=lambda u: (load.get(u.id, 0), u.id))
