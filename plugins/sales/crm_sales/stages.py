"""Configuring the pipeline: add stages, rename, reorder, set their default probability.

A winning stage has probability 100 and a losing one 0, so a closed deal never
weighs wrongly in the forecast. Stages are never deleted here: history rows refer
to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Conflict, NotFound, User, audit
from crm_host.sdk import validation as check
from crm_sales.models import Stage

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
FIELDS = ("code", "name", "position", "probability", "is_won", "is_lost")


def get_stage(session: Session, stage_id: int) -> Stage:
    """The stage with this id, or :class:`NotFound`."""
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"no stage with id {stage_id}")
    return stage


def _apply(stage: Stage, data: Mapping[str, Any], errors: check.Errors) -> None:
    if "code" in data:
        if not isinstance(data["code"], str) or not CODE_RE.match(data["code"]):
            errors["code"] = ["2–32 lower-case letters, digits or _, starting with a letter."]
        stage.code = data["code"]
    if "name" in data:
        stage.name = check.text(data["name"], "name", errors, max_length=100, required=True) or ""
    for field, low, high in (("position", 0, 10_000), ("probability", 0, 100)):
        if field in data:
            value = data[field]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[field] = [f"A whole number from {low} to {high}."]
            else:
                setattr(stage, field, value)
    for flag in ("is_won", "is_lost"):
        if flag in data:
            setattr(stage, flag, bool(data[flag]))
    if stage.is_won and stage.is_lost:
        errors["is_lost"] = ["A stage cannot both win and lose a deal."]
    elif stage.is_won and stage.probability != 100:
        errors["probability"] = ["A winning stage has probability 100."]
    elif stage.is_lost and stage.probability != 0:
        errors["probability"] = ["A losing stage has probability 0."]


def _snapshot(stage: Stage) -> dict[str, Any]:
    return {name: getattr(stage, name) for name in FIELDS}


def create_stage(session: Session, data: Mapping[str, Any], *, actor: User | None = None) -> Stage:
    """Add a stage; ``Conflict`` when its code is taken."""
    stage = Stage(position=0, probability=0, is_won=False, is_lost=False)
    errors: check.Errors = {}
    if "code" not in data:
        errors["code"] = ["Required."]
    if "name" not in data:
        errors["name"] = ["Required."]
    _apply(stage, data, errors)
    check.fail_if(errors, "the stage is not valid")
    if session.scalar(sa.select(Stage.id).where(Stage.code == stage.code)) is not None:
        raise Conflict(
            f"a stage with code {stage.code!r} exists already", details={"code": ["Already used."]}
        )
    session.add(stage)
    session.flush()
    audit.record(
        session,
        "create",
        "sales_stage",
        stage.id,
        after=_snapshot(stage),
        actor=actor,
        plugin="sales",
    )
    return stage


def update_stage(
    session: Session, stage: Stage, data: Mapping[str, Any], *, actor: User | None = None
) -> Stage:
    """Rename, reorder or re-weigh a stage (its code stays: scripts and history use it)."""
    before = _snapshot(stage)
    errors: check.Errors = {}
    with session.no_autoflush:
        _apply(stage, {k: v for k, v in data.items() if k != "code"}, errors)
    if errors:
        session.expire(stage)
        check.fail_if(errors, "the stage is not valid")
    session.flush()
    old, new = audit.changes(before, _snapshot(stage))
    if new:
        audit.record(
            session,
            "update",
            "sales_stage",
            stage.id,
            before=old,
            after=new,
            actor=actor,
            plugin="sales",
        )
    return stage


#: The board a fresh installation starts with (the migration seeds its own frozen copy).
DEFAULT_STAGES = [
    ("prospecting", "Prospecting", 10, 10, False, False),
    ("qualification", "Qualification", 20, 25, False, False),
    ("proposal", "Proposal", 30, 50, False, False),
    ("negotiation", "Negotiation", 40, 75, False, False),
    ("won", "Won", 90, 100, True, False),
    ("lost", "Lost", 100, 0, False, True),
]


def ensure_defaults(session: Session) -> int:
    """Put the default stages back when the board is empty (a database emptied by hand or
    by a test tier); returns how many were added."""
    if session.scalar(sa.select(sa.func.count()).select_from(Stage)):
        return 0
    for code, name, position, probability, is_won, is_lost in DEFAULT_STAGES:
        session.add(
            Stage(
                code=code,
                name=name,
                position=position,
                probability=probability,
                is_won=is_won,
                is_lost=is_lost,
            )
        )
    session.flush()
    return len(DEFAULT_STAGES)
