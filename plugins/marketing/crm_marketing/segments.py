"""Segments: named rule trees or static lists, and the one query that finds their members."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, Customer, NotFound, User, ValidationFailed, audit
from crm_host.sdk import validation as check
from crm_marketing.models import SEGMENT_KINDS, Campaign, Segment, SegmentMember
from crm_marketing.rules import compile_rules

PLUGIN = "marketing"
SAMPLE_SIZE = 20


def get_segment(session: Session, segment_id: int) -> Segment:
    """The segment, or :class:`NotFound`."""
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound(f"no segment {segment_id}")
    return segment


def condition_for(session: Session, segment: Segment) -> sa.ColumnElement[bool]:
    """The condition on ``customers`` that selects the segment's members."""
    if segment.kind == "static":
        return Customer.id.in_(
            sa.select(SegmentMember.customer_id).where(SegmentMember.segment_id == segment.id)
        )
    return compile_rules(session, segment.rules)


def audience(condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Ids of active (not archived) customers meeting ``condition``: one SELECT."""
    return sa.select(Customer.id).where(Customer.archived_at.is_(None), condition)


def count(session: Session, condition: sa.ColumnElement[bool]) -> int:
    """How many active customers meet ``condition``, in one ``SELECT count(*)``."""
    query = (
        sa.select(sa.func.count())
        .select_from(Customer)
        .where(Customer.archived_at.is_(None), condition)
    )
    return session.scalar(query) or 0


def sample(
    session: Session, condition: sa.ColumnElement[bool], limit: int = SAMPLE_SIZE
) -> list[Customer]:
    """The first ``limit`` members by id: enough to see whether the rules mean what you meant."""
    return list(
        session.scalars(
            sa.select(Customer)
            .where(Customer.archived_at.is_(None), condition)
            .order_by(Customer.id)
            .limit(limit)
        )
    )


def preview(session: Session, condition: sa.ColumnElement[bool]) -> dict[str, Any]:
    """Count and sample of an audience."""
    return {"count": count(session, condition), "sample": sample(session, condition)}


def _check(session: Session, data: dict[str, Any], segment: Segment | None) -> None:
    kind = data.get("kind", segment.kind if segment else "rules")
    if kind not in SEGMENT_KINDS:
        raise ValidationFailed(
            "unknown segment kind", details={"kind": ["Must be rules or static."]}
        )
    rules = data.get("rules", segment.rules if segment else None)
    if kind == "rules":
        if rules is None:
            raise ValidationFailed(
                "a rule segment needs rules", details={"rules": ["Required for kind rules."]}
            )
        compile_rules(session, rules)
    name = data.get("name")
    if segment is None or "name" in data:
        errors: check.Errors = {}
        check.text(name, "name", errors, max_length=200, required=True)
        check.fail_if(errors, "a segment needs a name")
        clash = session.scalar(
            sa.select(Segment.id).where(
                Segment.name == name, Segment.id != (segment.id if segment else -1)
            )
        )
        if clash is not None:
            raise Conflict(f"a segment named {name} exists", details={"name": ["Already in use."]})


def create_segment(session: Session, data: dict[str, Any], *, actor: User | None = None) -> Segment:
    """Create a segment after checking its rules; audited."""
    _check(session, data, None)
    segment = Segment(
        name=data["name"],
        description=data.get("description") or "",
        kind=data.get("kind", "rules"),
        rules=data.get("rules") if data.get("kind", "rules") == "rules" else None,
        created_by_id=actor.id if actor else None,
    )
    session.add(segment)
    session.flush()
    audit.record(
        session,
        "create",
        "marketing.segment",
        segment.id,
        after=_snapshot(segment),
        actor=actor,
        plugin=PLUGIN,
    )
    return segment


def update_segment(
    session: Session, segment: Segment, data: dict[str, Any], *, actor: User | None = None
) -> Segment:
    """Change a segment's name, description or rules; audited with before and after."""
    if "kind" in data and data["kind"] != segment.kind:
        raise ValidationFailed(
            "the kind of a segment is fixed", details={"kind": ["Cannot be changed."]}
        )
    _check(session, data, segment)
    before = _snapshot(segment)
    for key in ("name", "description", "rules"):
        if key in data and (key != "rules" or segment.kind == "rules"):
            setattr(segment, key, data[key] if key != "description" else data[key] or "")
    session.flush()
    audit.record(
        session,
        "update",
        "marketing.segment",
        segment.id,
        before=before,
        after=_snapshot(segment),
        actor=actor,
        plugin=PLUGIN,
    )
    return segment


def delete_segment(session: Session, segment: Segment, *, actor: User | None = None) -> None:
    """Delete a segment no campaign uses; audited."""
    used = session.scalar(sa.select(Campaign.id).where(Campaign.segment_id == segment.id).limit(1))
    if used is not None:
        raise Conflict(
            "a campaign uses this segment", details={"segment": [f"Used by campaign {used}."]}
        )
    audit.record(
        session,
        "delete",
        "marketing.segment",
        segment.id,
        before=_snapshot(segment),
        actor=actor,
        plugin=PLUGIN,
    )
    session.delete(segment)
    session.flush()


def add_members(
    session: Session, segment: Segment, customer_ids: list[int], *, actor: User | None = None
) -> int:
    """Put customers on a static list (those already on it stay once); returns how many were added."""
    if segment.kind != "static":
        raise ValidationFailed(
            "only static lists have members", details={"customer_ids": ["Not a static list."]}
        )
    wanted = set(customer_ids)
    known = set(session.scalars(sa.select(Customer.id).where(Customer.id.in_(wanted))))
    if wanted - known:
        missing = ", ".join(map(str, sorted(wanted - known)[:10]))
        raise ValidationFailed(
            "unknown customers", details={"customer_ids": [f"No customer {missing}."]}
        )
    present = set(
        session.scalars(
            sa.select(SegmentMember.customer_id).where(
                SegmentMember.segment_id == segment.id, SegmentMember.customer_id.in_(wanted)
            )
        )
    )
    new = sorted(wanted - present)
    session.add_all(SegmentMember(segment_id=segment.id, customer_id=c) for c in new)
    session.flush()
    if new:
        audit.record(
            session,
            "add_members",
            "marketing.segment",
            segment.id,
            after={"customer_ids": new},
            actor=actor,
            plugin=PLUGIN,
            row_count=len(new),
        )
    return len(new)


def remove_members(
    session: Session, segment: Segment, customer_ids: list[int], *, actor: User | None = None
) -> int:
    """Take customers off a static list; returns how many were on it."""
    result = session.execute(
        sa.delete(SegmentMember).where(
            SegmentMember.segment_id == segment.id,
            SegmentMember.customer_id.in_(set(customer_ids)),
        )
    )
    removed = result.rowcount or 0
    if removed:
        audit.record(
            session,
            "remove_members",
            "marketing.segment",
            segment.id,
            before={"customer_ids": sorted(set(customer_ids))},
            actor=actor,
            plugin=PLUGIN,
            row_count=removed,
        )
    return removed


def _snapshot(segment: Segment) -> dict[str, Any]:
    return {
        "name": segment.name,
        "description": segment.description,
        "kind": segment.kind,
        "rules": segment.rules,
    }
