"""The sales references the validation vocabulary has no rule for: users and
departments, which sales takes by id (a department also by code or name).

Everything else (text, money, currencies, customers) is checked by the SDK's rules,
``crm_host.sdk.validation``; these collect into the same ``errors`` dict.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Department, User
from crm_host.sdk.validation import Errors


def user_id(session: Session, value: Any, field: str, errors: Errors) -> int | None:
    """The id of an existing user, or ``None``."""
    if value is None:
        return None
    if session.get(User, value) is None:
        errors[field] = [f"No user with id {value}."]
    return value


def department_id(session: Session, value: Any, field: str, errors: Errors) -> int | None:
    """A department given by id, code or name, as its id; ``None`` when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        found = session.get(Department, value)
    else:
        found = session.scalar(
            sa.select(Department).where(
                sa.or_(Department.code == str(value), Department.name == str(value))
            )
        )
    if found is None:
        errors[field] = [f"No department {value!r}."]
        return None
    return found.id
