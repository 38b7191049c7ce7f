"""Opportunities and the pipeline: creating deals, moving them between stages with
history, winning and losing them.

Every stage change writes a ``sales_stage_changes`` row (from, to, when, by whom),
so time in stage and velocity are read from history rather than guessed. Winning
emits ``crm_sales_opportunity_won`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import NotFound, User, ValidationFailed, audit, emit, utcnow
from crm_host.sdk import validation as check
from crm_sales import checks
from crm_sales.models import Opportunity, OpportunityStatus, Stage, StageChange

AUDITED = (
    "name",
    "customer_id",
    "amount",
    "currency",
    "expected_close",
    "owner_id",
    "department_id",
    "status",
    "lost_reason",
)


def snapshot(opportunity: Opportunity) -> dict[str, Any]:
    """The audited fields of an opportunity, with its stage by code."""
    values = {name: getattr(opportunity, name) for name in AUDITED}
    values["stage"] = opportunity.stage.code if opportunity.stage else None
    return values


def stages(session: Session) -> list[Stage]:
    """Every stage in board order."""
    return list(session.scalars(sa.select(Stage).order_by(Stage.position, Stage.id)))


def find_stage(session: Session, ref: int | str) -> Stage:
    """A stage by id or code; ``ValidationFailed`` on the ``stage`` field otherwise."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        stage = session.get(Stage, ref)
    else:
        stage = session.scalar(sa.select(Stage).where(Stage.code == str(ref)))
    if stage is None:
        raise ValidationFailed("unknown stage", details={"stage": [f"No stage {ref!r}."]})
    return stage


def _closing_stage(session: Session, *, won: bool) -> Stage:
    column = Stage.is_won if won else Stage.is_lost
    stage = session.scalar(
        sa.select(Stage).where(column.is_(True)).order_by(Stage.position, Stage.id).limit(1)
    )
    if stage is None:
        kind = "winning" if won else "losing"
        raise ValidationFailed(f"the pipeline has no {kind} stage; configure one first")
    return stage


def get_opportunity(session: Session, opportunity_id: int) -> Opportunity:
    """The opportunity with this id, or :class:`NotFound`."""
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is None:
        raise NotFound(f"no opportunity with id {opportunity_id}")
    return opportunity


def _clean(session: Session, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: check.Errors = {}
    clean: dict[str, Any] = {}
    if "name" in data or not partial:
        clean["name"] = check.text(data.get("name"), "name", errors, max_length=200, required=True)
    if "customer_id" in data or not partial:
        clean["customer_id"] = check.customer_ref(
            session, data.get("customer_id"), "customer_id", errors
        )
    if "amount" in data:
        clean["amount"] = check.money(data["amount"], "amount", errors)
    if "currency" in data:
        clean["currency"] = check.currency(data["currency"], "currency", errors)
    if "expected_close" in data:
        clean["expected_close"] = check.date(data["expected_close"], "expected_close", errors)
    if "owner_id" in data:
        clean["owner_id"] = checks.user_id(session, data["owner_id"], "owner_id", errors)
    if "department" in data:
        clean["department_id"] = checks.department_id(
            session, data["department"], "department", errors
        )
    check.fail_if(errors, "the opportunity is not valid")
    return clean


def create_opportunity(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    lead_id: int | None = None,
) -> Opportunity:
    """Create an opportunity in ``data["stage"]`` (the first open stage by default),
    writing its first history row."""
    clean = _clean(session, data, partial=False)
    if data.get("stage") is not None:
        stage = find_stage(session, data["stage"])
    else:
        stage = next((s for s in stages(session) if not s.is_closed), None)
        if stage is None:
            raise ValidationFailed("the pipeline has no open stage; configure one first")
    if stage.is_closed:
        raise ValidationFailed(
            "a new opportunity starts in an open stage",
            details={"stage": [f"{stage.code} closes deals; win or lose an open one."]},
        )
    now = utcnow()
    # Whoever opens a deal owns it unless someone else is named.
    clean.setdefault("owner_id", actor.id if actor else None)
    opportunity = Opportunity(
        **clean,
        lead_id=lead_id,
        stage=stage,
        status=OpportunityStatus.OPEN,
        stage_entered_at=now,
    )
    session.add(opportunity)
    session.flush()
    session.add(
        StageChange(
            opportunity_id=opportunity.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
        )
    )
    audit.record(
        session,
        "create",
        "sales_opportunity",
        opportunity.id,
        after=snapshot(opportunity),
        actor=actor,
        plugin="sales",
    )
    return opportunity


def update_opportunity(
    session: Session,
    opportunity: Opportunity,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
) -> Opportunity:
    """Change an opportunity's fields (not its stage: see :func:`change_stage`)."""
    before = snapshot(opportunity)
    for key, value in _clean(session, data, partial=True).items():
        setattr(opportunity, key, value)
    session.flush()
    old, new = audit.changes(before, snapshot(opportunity))
    if new:
        audit.record(
            session,
            "update",
            "sales_opportunity",
            opportunity.id,
            before=old,
            after=new,
            actor=actor,
            plugin="sales",
        )
    return opportunity


def change_stage(
    session: Session,
    opportunity: Opportunity,
    stage: Stage,
    *,
    actor: User | None = None,
    lost_reason: str | None = None,
    at: datetime | None = None,
) -> Opportunity:
    """Move ``opportunity`` to ``stage``, keeping history.

    A winning stage closes it as won and emits ``crm_sales_opportunity_won``; a
    losing stage needs ``lost_reason``; an open stage reopens a closed deal.
    Moving to the stage it is in changes nothing.
    """
    if stage.id == opportunity.stage_id:
        return opportunity
    errors: check.Errors = {}
    reason = check.text(lost_reason, "lost_reason", errors, max_length=300)
    if stage.is_lost and not reason:
        errors["lost_reason"] = ["Say why the deal was lost."]
    check.fail_if(errors, "the stage change is not valid")
    before = snapshot(opportunity)
    now = at or utcnow()
    session.add(
        StageChange(
            opportunity_id=opportunity.id,
            from_stage_id=opportunity.stage_id,
            to_stage_id=stage.id,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
        )
    )
    opportunity.stage = stage
    opportunity.stage_entered_at = now
    if stage.is_won:
        opportunity.status = OpportunityStatus.WON
        opportunity.closed_at = now
        opportunity.lost_reason = None
    elif stage.is_lost:
        opportunity.status = OpportunityStatus.LOST
        opportunity.closed_at = now
        opportunity.lost_reason = reason
    else:
        opportunity.status = OpportunityStatus.OPEN
        opportunity.closed_at = None
        opportunity.lost_reason = None
    session.flush()
    old, new = audit.changes(before, snapshot(opportunity))
    audit.record(
        session,
        "stage",
        "sales_opportunity",
        opportunity.id,
        before=old,
        after=new,
        actor=actor,
        plugin="sales",
    )
    if stage.is_won:
        emit(
            session,
            "crm_sales_opportunity_won",
            opportunity_id=opportunity.id,
            customer_ids=[opportunity.customer_id],
        )
    return opportunity


def win(session: Session, opportunity: Opportunity, *, actor: User | None = None) -> Opportunity:
    """Close ``opportunity`` as won (the first winning stage)."""
    return change_stage(session, opportunity, _closing_stage(session, won=True), actor=actor)


def lose(
    session: Session, opportunity: Opportunity, reason: str | None, *, actor: User | None = None
) -> Opportunity:
    """Close ``opportunity`` as lost, saying why."""
    return change_stage(
        session, opportunity, _closing_stage(session, won=False), actor=actor, lost_reason=reason
    )


def history(session: Session, opportunity_id: int) -> list[StageChange]:
    """The opportunity's stage changes, oldest first."""
    return list(
        session.scalars(
            sa.select(StageChange)
            .where(StageChange.opportunity_id == opportunity_id)
            .order_by(StageChange.changed_at, StageChange.id)
        )
    )


def time_in_stage(
    session: Session, opportunity: Opportunity, *, now: datetime | None = None
) -> dict[str, float]:
    """Seconds spent in each stage (by code), summed over visits, read from history.

    The current stage counts until ``now`` while the deal is open; a closed deal's
    closing stage counts nothing.
    """
    rows = history(session, opportunity.id)
    codes = {s.id: s.code for s in stages(session)}
    spent: dict[str, float] = {}
    for current, following in zip(rows, [*rows[1:], None], strict=True):
        if following is not None:
            end = following.changed_at
        elif opportunity.status is OpportunityStatus.OPEN:
            end = now or utcnow()
        else:
            continue
        code = codes[current.to_stage_id]
        spent[code] = spent.get(code, 0.0) + (end - current.changed_at).total_seconds()
    return spent
