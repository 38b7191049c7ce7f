"""What makes a journey valid: its name, trigger, steps, goal and status, each error
named by the field or step path it concerns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, validation
from crm_marketing import triggers
from crm_marketing.models import JOURNEY_STATUSES, Campaign, Journey, Segment
from crm_marketing.rules import compile_rules

STEP_KINDS = ("wait", "condition", "send", "tag")
MAX_STEPS = 50


def _check_steps(session: Session, steps: Any, errors: dict[str, list[str]]) -> None:
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        errors["steps"] = [f"Needs a list of 1 to {MAX_STEPS} steps."]
        return
    for i, step in enumerate(steps):
        path = f"steps[{i}]"
        if not isinstance(step, dict) or len(step) != 1 or next(iter(step)) not in STEP_KINDS:
            errors[path] = ["Each step is one of: " + ", ".join(STEP_KINDS) + "."]
            continue
        kind, body = next(iter(step.items()))
        if not isinstance(body, dict):
            errors[f"{path}.{kind}"] = ["Needs an object."]
            continue
        if kind == "wait":
            days = body.get("days")
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
                errors[f"{path}.wait.days"] = ["Needs a whole number of days from 0 to 3650."]
        elif kind == "condition":
            try:
                compile_rules(session, body.get("rules"), path=f"{path}.condition.rules")
            except ValidationFailed as error:
                errors.update(error.details)
        elif kind == "send":
            campaign_id = body.get("campaign_id")
            if (
                isinstance(campaign_id, bool)
                or not isinstance(campaign_id, int)
                or not 1 <= campaign_id < 2**31
                or session.get(Campaign, campaign_id) is None
            ):
                errors[f"{path}.send.campaign_id"] = ["No such campaign."]
        else:
            name = body.get("name")
            validation.text(name, f"{path}.tag.name", errors, max_length=100, required=True)


def _check_event(
    session: Session, data: dict[str, Any], journey: Journey | None, errors: dict[str, list[str]]
) -> None:
    offered = {t.event: t for t in triggers.available(session)}
    event = data.get("event", journey.event if journey else None)
    trigger = offered.get(event) if isinstance(event, str) else None
    if trigger is None:
        errors["event"] = ["Must be one of: " + ", ".join(offered) + "."]
        return
    value = data.get("event_value", journey.event_value if journey else None)
    if value is None:
        return
    if not trigger.choices:
        errors["event_value"] = [f"{event} offers no choice: leave it empty."]
    elif value not in trigger.choices:
        errors["event_value"] = ["Must be one of: " + ", ".join(trigger.choices) + "."]


def check(session: Session, data: dict[str, Any], journey: Journey | None) -> None:
    """Refuse a journey (new, or ``journey`` changed by ``data``) that is not valid,
    naming each bad field or step by its path."""
    errors: dict[str, list[str]] = {}
    name = data.get("name", journey.name if journey else None)
    if validation.text(name, "name", errors, max_length=200, required=True) and session.scalar(
        sa.select(Journey.id).where(
            Journey.name == name, Journey.id != (journey.id if journey else 0)
        )
    ):
        errors["name"] = ["Another journey has this name."]
    trigger = data.get("trigger", journey.trigger if journey else None)
    if trigger == "segment":
        segment_id = data.get("segment_id", journey.segment_id if journey else None)
        if segment_id is None or session.get(Segment, segment_id) is None:
            errors["segment_id"] = ["No such segment."]
    elif trigger == "event":
        _check_event(session, data, journey, errors)
    else:
        errors["trigger"] = ["Must be segment or event."]
    if "steps" in data or journey is None:
        _check_steps(session, data.get("steps"), errors)
    if data.get("goal") is not None:
        try:
            compile_rules(session, data["goal"], path="goal")
        except ValidationFailed as error:
            errors.update(error.details)
    status = data.get("status", journey.status if journey else "draft")
    if status not in JOURNEY_STATUSES:
        errors["status"] = ["Must be one of: " + ", ".join(JOURNEY_STATUSES) + "."]
    if errors:
        raise ValidationFailed("the journey is not valid", details=errors)
