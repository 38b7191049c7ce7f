"""Writing the audit log; the one place that does.

Every write through the host is audited with who, when, what, before and after;
bulk work writes one entry per batch. The application cannot change or delete an
entry: a flush that tries fails. Erasure of personal data is the one exception and
goes through :func:`scrubbing`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm_host.core.models import AuditLog, User


class AuditLogImmutable(Exception):
    """Something tried to change or delete an audit entry."""


def jsonable(value: Any) -> Any:
    """A value made JSON-ready: dates as ISO strings, decimals as strings, enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def current_actor() -> User | None:
    """The signed-in user of the current request; ``None`` for the system (CLI, jobs)."""
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.user if current_user and current_user.is_authenticated else None


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: User | None = None,
    plugin: str | None = None,
    row_count: int = 1,
) -> AuditLog:
    """Add an audit entry to the session's transaction (it commits with the change)."""
    actor = actor or current_actor()
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        plugin=plugin,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        row_count=row_count,
    )
    session.add(entry)
    return entry


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@contextlib.contextmanager
def scrubbing(session: Session) -> Iterator[None]:
    """Allow audit entries to be rewritten inside the block (erasure of personal data only)."""
    session.info["crm_audit_scrubbing"] = True
    try:
        yield
    finally:
        session.info.pop("crm_audit_scrubbing", None)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: Any) -> None:
    if state.session.info.get("crm_audit_scrubbing"):
        return
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditLog for mapper in state.all_mappers
    ):
        raise AuditLogImmutable("audit entries cannot be changed or deleted")


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("crm_audit_scrubbing"):
        return
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogImmutable("audit entries cannot be changed or deleted")


def record_denied(session: Session, reason: str, *, plugin: str | None = None) -> None:
    """Put a refused request (403) on record in a transaction of its own.

    The request's own work is rolled back first: a refused request changes nothing,
    and the entry must not wait on — or commit — whatever it had begun. Writing the
    entry never turns the refusal into an error.
    """
    from flask import request

    try:
        session.rollback()
        record(
            session,
            "access_denied",
            "request",
            None,
            after={"method": request.method, "path": request.path[:500], "reason": reason[:500]},
            plugin=plugin,
        )
        session.commit()
    except SQLAlchemyError:
        session.rollback()
