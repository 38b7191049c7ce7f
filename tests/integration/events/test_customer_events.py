"""Events that say whom they concern: listed with their publishers' labels, delivered to
every listener of events about customers, and delivered — never failed — when written
before their hook gained ``customer_ids``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import Job, OutboxEvent
from crm_host.runtime.facade import ABOUT_CUSTOMERS, EventLabel, customer_events, emit
from crm_host.runtime.outbox import EVENT_JOB
from crm_host.runtime.queue import job_row


def test_events_about_customers_are_listed_with_their_publishers_labels(app):
    events = {e.name: e for e in customer_events(app.extensions["crm"].plugins)}
    # Every event declaring customer_ids, the host's first; none without it.
    assert list(events) == [
        "crm_customers_created",
        "crm_customers_imported",
        "crm_fxbd_badge_earned",
        "crm_fxbd_noted",
        "crm_sales_lead_converted",
        "crm_sales_opportunity_won",
        "crm_service_sla_breached",
        "crm_service_ticket_created",
        "crm_service_ticket_resolved",
    ]
    badge = events["crm_fxbd_badge_earned"]
    assert (badge.plugin, badge.label) == (
        "fx_badges",
        EventLabel("Badge earned", "badge", "Badge", ("gold", "silver")),
    )
    assert events["crm_fxbd_noted"].label == EventLabel("crm_fxbd_noted")  # no label: its name
    assert events["crm_customers_created"].plugin is None
    assert str(events["crm_customers_created"].label.label) == "Customer created"
    breach = events["crm_service_sla_breached"]
    assert (breach.plugin, str(breach.label.label), breach.label.choose_on) == (
        "service",
        "Ticket SLA breached",
        "clock",
    )
    assert breach.label.choices == ("first_response", "resolution")
    assert (
        events["crm_sales_opportunity_won"].plugin,
        str(events["crm_sales_opportunity_won"].label.label),
    ) == ("sales", "Deal won")


@pytest.mark.hookspec("crm_event_about_customers")
def test_an_event_about_customers_also_reaches_every_listener_of_such_events(
    db, make_customer, badges
):
    wang = make_customer(name="王")
    badges.CALLS.clear()
    emit(db, "crm_fxbd_badge_earned", badge_id=7, badge="gold", customer_ids=[wang.id])
    emit(db, "crm_fxbd_ticked", tick_id=1)  # about no customer: the own hook's listeners only
    db.commit()
    calls = {(hook, key.split(":")[1]): arguments for hook, arguments, key in badges.CALLS}
    badge_event = db.scalar(
        sa.select(OutboxEvent.id).where(OutboxEvent.name == "crm_fxbd_badge_earned")
    )
    payload = {"badge_id": 7, "badge": "gold", "customer_ids": [wang.id]}
    assert calls == {
        ("crm_fxbd_badge_earned", str(badge_event)): payload,
        (ABOUT_CUSTOMERS, str(badge_event)): {
            "event": "crm_fxbd_badge_earned",
            "customer_ids": [wang.id],
            "payload": payload,
        },
    }
    # Two deliveries of one event, each with an idempotency key of its own.
    assert len({key for _hook, _arguments, key in badges.CALLS}) == 2


def _queue_as_before_the_upgrade(db, name, payload, plugin, function):
    """An event and one delivery as they were written before ``customer_ids`` existed."""
    now = utcnow()
    event_id = db.execute(
        sa.insert(OutboxEvent)
        .values(name=name, payload=payload, created_at=now)
        .returning(OutboxEvent.id)
    ).scalar_one()
    row = job_row(
        name=EVENT_JOB,
        args={"hook": name, "function": function},
        key=f"event:{event_id}:{plugin}:{function}",
        plugin=plugin,
        department_id=None,
        event_id=event_id,
        run_after=now,
        max_attempts=3,
        now=now,
    )
    db.execute(sa.insert(Job), [row])
    return event_id


def test_an_event_written_before_its_hook_gained_customer_ids_is_delivered(
    db, badges, deliver_outbox
):
    old = _queue_as_before_the_upgrade(
        db,
        "crm_fxbd_badge_earned",
        {"badge_id": 3, "badge": "silver"},
        "fx_badges",
        "crm_fxbd_badge_earned",
    )
    # Marketing listened to ticket events with a hook of its own before; that handler
    # is gone, and its pending delivery goes to its handler of every such event.
    moved = _queue_as_before_the_upgrade(
        db,
        "crm_service_ticket_resolved",
        {"ticket_id": 5},
        "marketing",
        "crm_service_ticket_resolved",
    )
    db.commit()
    assert deliver_outbox() == 2
    assert [(hook, arguments) for hook, arguments, _key in badges.CALLS] == [
        ("crm_fxbd_badge_earned", {"badge_id": 3, "badge": "silver", "customer_ids": []})
    ]
    db.expire_all()
    jobs = db.execute(
        sa.select(Job.event_id, Job.status, Job.attempts).where(Job.event_id.in_([old, moved]))
    ).all()
    assert sorted(jobs) == [(old, "done", 1), (moved, "done", 1)]
