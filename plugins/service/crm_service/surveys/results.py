"""Survey results: answers, mean CSAT and NPS by agent, queue or category."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Department, User, ValidationFailed
from crm_service.models import Survey, Ticket

#: The groupings of :func:`results`.
GROUPS = ("agent", "queue", "category")


def results(session: Session, by: str) -> list[dict[str, Any]]:
    """Answered surveys grouped by the ticket's agent, queue or category.

    Per group: answers, mean CSAT (2 places), the share of satisfied answers (CSAT 4
    or 5, in %), NPS answers and the Net Promoter Score (promoters 9–10 minus
    detractors 0–6, in % of NPS answers; ``None`` without any).
    """
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
