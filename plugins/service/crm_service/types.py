"""Ticket types: the seeded four and whatever administrators add."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, ValidationFailed
from crm_service.models import SEEDED_TYPES, TicketType

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def ensure_defaults(session: Session) -> None:
    """Add the standard types (inquiry, request, complaint, fault repair) to a database
    that has no ticket types yet; does nothing once any type exists.

    Seeded on first use rather than by the migration, so a restored backup brings its
    own rows into empty tables. A concurrent first use losing the race on the unique
    code only rolls back its savepoint.
    """
    if session.scalar(sa.select(TicketType.id).limit(1)) is not None:
        return
    try:
        with session.begin_nested():
            session.add_all(
                TicketType(code=code, label=label, label_zh=label_zh, active=True)
                for code, label, label_zh in SEEDED_TYPES
            )
    except IntegrityError:
        pass


def save_type(session: Session, data: dict[str, Any], row: TicketType | None = None) -> TicketType:
    """Create a ticket type or change ``row``; codes are unique and never reused."""
    if row is not None and "code" in data and data["code"] != row.code:
        raise ValidationFailed(
            "a ticket type keeps its code", details={"code": ["Codes cannot change."]}
        )
    if row is None:
        ensure_defaults(session)
        code = data.get("code") or ""
        if not CODE_RE.match(code):
            raise ValidationFailed(
                "the code is not valid", details={"code": ["2–64 lower-case letters, digits, _."]}
            )
        if not str(data.get("label") or "").strip():
            raise ValidationFailed("a label is required", details={"label": ["Required."]})
        if session.scalar(sa.select(TicketType.id).where(TicketType.code == code)) is not None:
            raise Conflict(f"ticket type {code} exists", details={"code": ["Taken."]})
        row = TicketType(code=code, label="", label_zh="", active=True)
        session.add(row)
    for key in ("label", "label_zh", "active"):
        if key in data:
            setattr(row, key, data[key])
    session.flush()
    return row
