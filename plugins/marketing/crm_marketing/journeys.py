"""Journeys: after a trigger, each customer walks the steps; a schedule moves them on.

Trigger: joining a segment (members not yet in the journey are enrolled at each run,
in one ``INSERT … SELECT``) or an event of the host or a plugin — customers created,
imported, changed or moved to a lifecycle stage, or any plugin event that declares
``customer_ids`` — whose customers are found as :mod:`crm_marketing.triggers` says,
optionally only when the event carries a chosen value (``event_value``: the new
stage, the changed field, or what the publishing plugin offers to choose on). Steps,
a JSON list::

    {"wait": {"days": 3}}                    due again that many days later
    {"condition": {"rules": <rule tree>}}    go on if the customer matches, else leave
    {"send": {"campaign_id": 7}}             the campaign's message on its channel
    {"tag": {"name": "回访"}}                add a tag to the customer

Each entry records the next step and when it is due. A step is recorded in
``marketing_journey_actions`` (unique per entry and step) in the same transaction as
what it does, and a send is also one per campaign and customer: running the schedule
again, or after a crash, never sends or tags twice. An event delivered twice enrols
nobody twice: a customer has one place per journey.

A journey may have a ``goal``, a rule tree like a condition step's: at each run, the
customers in the journey who meet it leave it as ``converted``, before any step runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, NotFound, User, audit, utcnow
from crm_host.sdk.customers import customer_service
from crm_marketing import segments, sending, triggers
from crm_marketing.journey_checks import MAX_STEPS as MAX_STEPS
from crm_marketing.journey_checks import STEP_KINDS as STEP_KINDS
from crm_marketing.journey_checks import check
from crm_marketing.models import (
    Campaign,
    Journey,
    JourneyAction,
    JourneyEntry,
)
from crm_marketing.rules import compile_rules

JOB = "marketing.advance_journeys"
BATCH = 500


# --- definition ------------------------------------------------------------------------


def create_journey(session: Session, data: dict[str, Any], *, actor: User | None = None) -> Journey:
    """A journey after checking its trigger and every step (errors name the step); audited."""
    check(session, data, None)
    trigger = data["trigger"]
    journey = Journey(
        name=data["name"].strip(),
        trigger=trigger,
        segment_id=data.get("segment_id") if trigger == "segment" else None,
        event=data.get("event") if trigger == "event" else None,
        event_value=data.get("event_value") if trigger == "event" else None,
        goal=data.get("goal"),
        steps=data["steps"],
        status=data.get("status") or "draft",
    )
    session.add(journey)
    session.flush()
    audit.record(
        session, "create", "marketing.journey", journey.id, actor=actor, plugin="marketing"
    )
    return journey


def set_status(
    session: Session, journey: Journey, status: str, *, actor: User | None = None
) -> Journey:
    """Activate, pause or return a journey to draft; paused entries wait where they are."""
    check(session, {"status": status}, journey)
    before = journey.status
    journey.status = status
    audit.record(
        session,
        "update",
        "marketing.journey",
        journey.id,
        before={"status": before},
        after={"status": status},
        actor=actor,
        plugin="marketing",
    )
    return journey


def get_journey(session: Session, journey_id: int) -> Journey:
    """The journey, or :class:`NotFound`."""
    journey = session.get(Journey, journey_id)
    if journey is None:
        raise NotFound(f"journey {journey_id} does not exist")
    return journey


# --- enrolling ---------------------------------------------------------------------------


def _enrol_from(session: Session, journey: Journey, customers: sa.Select[Any]) -> int:
    """Enrol the customers ``customers`` selects (ids) who have no place in the journey
    yet, in one ``INSERT … SELECT``; returns how many."""
    now = utcnow()
    members = customers.where(
        ~sa.select(JourneyEntry.id)
        .where(JourneyEntry.journey_id == journey.id, JourneyEntry.customer_id == Customer.id)
        .exists()
    )
    query = sa.select(
        sa.literal(journey.id).label("journey_id"),
        members.subquery().c.id.label("customer_id"),
        sa.literal(0).label("step"),
        sa.literal("waiting").label("status"),
        sa.literal(now, JourneyEntry.__table__.c.due_at.type).label("due_at"),
        sa.literal(now, JourneyEntry.__table__.c.entered_at.type).label("entered_at"),
        sa.literal(now, JourneyEntry.__table__.c.updated_at.type).label("updated_at"),
    )
    result = session.execute(
        JourneyEntry.__table__.insert().from_select(
            ["journey_id", "customer_id", "step", "status", "due_at", "entered_at", "updated_at"],
            query,
        )
    )
    return int(result.rowcount or 0)


def enrol_segment_members(session: Session, journey: Journey) -> int:
    """Enrol every current member of the journey's segment not in it yet; one statement."""
    segment = segments.get_segment(session, journey.segment_id)  # type: ignore[arg-type]
    return _enrol_from(
        session, journey, segments.audience(segments.condition_for(session, segment))
    )


def enrol_many(session: Session, journey: Journey, customer_ids: list[int]) -> int:
    """Enrol the listed customers not in the journey yet; returns how many.

    Ids of customers that no longer exist (merged or erased since the event) or are
    archived are dropped, as a segment's audience drops them.
    """
    enrolled = 0
    for start in range(0, len(customer_ids), BATCH):
        chunk = customer_ids[start : start + BATCH]
        enrolled += _enrol_from(session, journey, segments.audience(Customer.id.in_(chunk)))
    return enrolled


def enrol(session: Session, journey: Journey, customer_id: int) -> bool:
    """Enrol one customer; ``False`` when they are in the journey already (or gone)."""
    return enrol_many(session, journey, [customer_id]) == 1


def on_event(session: Session, event: str, payload: dict[str, Any]) -> int:
    """Enrol the customers ``event`` names in every active journey it starts (those whose
    ``event_value`` the event meets); returns how many places were made.

    Safe to run again with the same event, as at-least-once delivery needs: a customer
    already in a journey keeps the one place they have.
    """
    trigger = triggers.find(session, event)
    if trigger is None:
        return 0
    started = session.scalars(
        sa.select(Journey)
        .where(Journey.trigger == "event", Journey.event == event, Journey.status == "active")
        .order_by(Journey.id)
    ).all()
    found: dict[str | None, list[int]] = {}
    enrolled = 0
    for journey in started:
        value = journey.event_value
        if value not in found:
            found[value] = triggers.customers_of(trigger, payload, value)
        if found[value]:
            enrolled += enrol_many(session, journey, found[value])
    return enrolled


# --- advancing ---------------------------------------------------------------------------


def _run_step(session: Session, entry: JourneyEntry, step: dict[str, Any]) -> tuple[str, bool]:
    """Do one step; returns (outcome, whether the entry goes on to the next step now)."""
    kind, body = next(iter(step.items()))
    if kind == "wait":
        entry.due_at = utcnow() + timedelta(days=int(body["days"]))
        return "waited", False
    if kind == "condition":
        condition = compile_rules(session, body["rules"])
        matches = session.scalar(
            sa.select(sa.func.count())
            .select_from(Customer)
            .where(Customer.id == entry.customer_id, condition)
        )
        return ("passed", True) if matches else ("exited", False)
    if kind == "send":
        campaign = session.get(Campaign, int(body["campaign_id"]))
        if campaign is None:
            return "skipped", True
        return sending.send_one(session, campaign, entry.customer_id), True
    name = body["name"].strip()
    customer = session.get(Customer, entry.customer_id)
    names = {t.name for t in customer.tags} if customer is not None else {name}
    if name in names or customer is None:
        return "tagged", True
    # Through the host's customer service: audited and announced like any other change.
    customer_service.set_tags(session, customer, sorted(names | {name}))
    return "tagged", True


def advance_entry(session: Session, journey: Journey, entry: JourneyEntry) -> None:
    """Run the entry's due steps until a wait, the end, or a condition it fails."""
    steps = journey.steps
    while entry.status == "waiting" and entry.due_at <= utcnow():
        if entry.step >= len(steps):
            entry.status = "done"
            break
        # Recorded first: a second runner on the same entry fails on the unique pair
        # and its transaction — the step's effects with it — rolls back.
        action = JourneyAction(
            entry_id=entry.id, step=entry.step, kind=next(iter(steps[entry.step])), outcome=""
        )
        session.add(action)
        session.flush()
        outcome, go_on = _run_step(session, entry, steps[entry.step])
        action.outcome = outcome
        entry.step += 1
        entry.updated_at = utcnow()
        if outcome == "exited":
            entry.status = "exited"
        elif entry.step >= len(steps):
            entry.status = "done"
        if not go_on:
            break


def convert(session: Session, journey: Journey) -> int:
    """Take the customers of the journey who meet its goal out of it as ``converted``,
    wherever they wait; one ``UPDATE``. Returns how many."""
    if journey.goal is None:
        return 0
    reached = segments.audience(compile_rules(session, journey.goal, path="goal"))
    result = session.execute(
        sa.update(JourneyEntry)
        .where(
            JourneyEntry.journey_id == journey.id,
            JourneyEntry.status == "waiting",
            JourneyEntry.customer_id.in_(reached),
        )
        .values(status="converted", updated_at=utcnow())
    )
    return int(result.rowcount or 0)


def advance(session: Session, journey: Journey) -> int:
    """Enrol (segment trigger), take out those who reached the goal, and move every due
    entry of an active journey; returns how many entries ran. The caller commits."""
    if journey.status != "active":
        return 0
    if journey.trigger == "segment":
        enrol_segment_members(session, journey)
    convert(session, journey)
    due = session.scalars(
        sa.select(JourneyEntry)
        .where(
            JourneyEntry.journey_id == journey.id,
            JourneyEntry.status == "waiting",
            JourneyEntry.due_at <= utcnow(),
        )
        .order_by(JourneyEntry.id)
        .limit(BATCH)
    ).all()
    for entry in due:
        advance_entry(session, journey, entry)
    return len(due)


def advance_job(job: Any) -> None:
    """The ``marketing.advance_journeys`` job: each active journey, committed journey by
    journey in batches, so a crash keeps what was done and a re-run picks up the rest."""
    session = job.session
    ids = list(
        session.scalars(
            sa.select(Journey.id).where(Journey.status == "active").order_by(Journey.id)
        )
    )
    for journey_id in ids:
        while advance(session, session.get(Journey, journey_id)) == BATCH:
            session.commit()
        session.commit()


def positions(session: Session, journey: Journey) -> list[dict[str, Any]]:
    """How many customers wait at each step, and how many finished, left at a condition
    or reached the goal."""
    rows = session.execute(
        sa.select(JourneyEntry.status, JourneyEntry.step, sa.func.count())
        .where(JourneyEntry.journey_id == journey.id)
        .group_by(JourneyEntry.status, JourneyEntry.step)
    ).all()
    waiting = {step: n for status, step, n in rows if status == "waiting"}
    out = [
        {"step": i, "kind": next(iter(step)), "waiting": int(waiting.get(i, 0))}
        for i, step in enumerate(journey.steps)
    ]
    out.append(
        {
            "step": len(journey.steps),
            "kind": "end",
            "waiting": 0,
            "done": int(sum(n for status, _s, n in rows if status == "done")),
            "exited": int(sum(n for status, _s, n in rows if status == "exited")),
            "converted": int(sum(n for status, _s, n in rows if status == "converted")),
        }
    )
    return out
