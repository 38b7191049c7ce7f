"""Record rules on leads and opportunities, shared by the API and the console pages.

Both have an owner and a department: a user holding a permission with scope
``own`` reaches the ones they own, ``department`` those of their departments too.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import User, authorize, record_filter
from crm_sales.models import Lead, Opportunity


def check(session: Session, user: User, obj: Lead | Opportunity, permission: str) -> None:
    """Raise ``Forbidden`` naming ``permission`` unless the rule lets ``user`` at ``obj``."""
    authorize(
        session,
        user,
        permission,
        owner_id=obj.owner_id,
        department_ids=[obj.department_id] if obj.department_id else [],
        check_record=True,
    )


def visible(
    session: Session, user: User, model: type[Lead] | type[Opportunity], permission: str
) -> sa.ColumnElement[bool]:
    """The WHERE clause of the rows of ``model`` the rule lets ``user`` see."""
    return record_filter(
        session,
        user,
        permission,
        owner_column=model.owner_id,
        department_ids_of=lambda ids: model.department_id.in_(ids),
    )
