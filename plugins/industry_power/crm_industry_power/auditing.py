"""Audit entries for the pack's writes, in the host's audit log (one per batch for imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_host.sdk import audit

PLUGIN = "industry_power"


def snapshot(row: Any) -> dict[str, Any]:
    """A row's column values."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def saved(session: Session, row: Any, before: dict[str, Any] | None) -> None:
    """Record a create (``before`` is ``None``) or the fields an update changed."""
    object_type = row.__tablename__
    after = snapshot(row)
    if before is None:
        audit.record(session, "create", object_type, row.id, after=after, plugin=PLUGIN)
        return
    old, new = audit.changes(before, after)
    if new:
        audit.record(session, "update", object_type, row.id, before=old, after=new, plugin=PLUGIN)
