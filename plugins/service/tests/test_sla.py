"""SLA due times on a business calendar, and escalation of breaches exactly once.

The calendar: Shanghai, Monday to Friday 09:00–12:00 and 13:00–18:00, with New
Year's Day 2026 (a Thursday) off. Every expected instant below is worked out by hand
in local time and converted to UTC (Shanghai is UTC+8 all year).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from crm_service import escalation, jobs, tickets
from crm_service.sla import save_policy

from crm_host.domain.sla.store import save_calendar
from crm_host.sdk import BusinessCalendar, SlaClock, enqueue
from crm_host.testing.tables import Notification, OutboxEvent

DAY = [["09:00", "12:00"], ["13:00", "18:00"]]


def utc(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def office_policy(db):
    calendar = BusinessCalendar.from_dict(
        {
            "timezone": "Asia/Shanghai",
            "hours": {day: DAY for day in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2026-01-01"],
        }
    )
    save_calendar(db, "shanghai-office", calendar)
    policy = save_policy(
        db,
        {
            "name": "office hours",
            "first_response_minutes": 180,
            "resolution_minutes": 17 * 60,
            "calendar": "shanghai-office",
        },
    )
    db.commit()
    return policy


def clock(db, ticket_id, name):
    return db.scalar(
        sa.select(SlaClock).where(
            SlaClock.object_type == "service.ticket",
            SlaClock.object_id == str(ticket_id),
            SlaClock.name == name,
        )
    )


def test_due_times_across_a_holiday_a_weekend_and_a_pause(db, customer, office_policy):
    # Opened Wednesday 31 December 2025, 16:00 Shanghai (08:00 UTC).
    opened = utc(2025, 12, 31, 8)
    ticket = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="fault_repair",
        subject="电表不走字",
        sla_policy="office hours",
        at=opened,
    )
    # First response, 3 working hours: Wed 16:00–18:00 (2 h), Thu is New Year's Day,
    # Fri 09:00–10:00 (1 h) → Friday 2 January 10:00 local = 02:00 UTC.
    assert clock(db, ticket.id, "first_response").due_at == utc(2026, 1, 2, 2)
    # Resolution, 17 working hours, before any pause: Wed 2 h, Fri 8 h (10 h), Mon 5 Jan
    # 8 h (18 h) → 7 h into Monday: 09–12 (3) + 13–17 (4) → Monday 17:00 = 09:00 UTC.
    assert clock(db, ticket.id, "resolution").due_at == utc(2026, 1, 5, 9)

    # Waiting on the customer from Friday 14:00 local (06:00 UTC): 2 + 3 + 1 = 6 h used.
    tickets.transition(db, ticket, "waiting_on_customer", at=utc(2026, 1, 2, 6))
    assert clock(db, ticket.id, "resolution").due_at is None
    # The customer answers on Monday 10:00 local (02:00 UTC); 11 h remain: Monday
    # 10–12 (2) and 13–18 (5) leave 4, Tuesday 09–12 (3) leaves 1, 13:00–14:00 →
    # Tuesday 6 January 14:00 local = 06:00 UTC.
    tickets.transition(db, ticket, "in_progress", at=utc(2026, 1, 5, 2))
    assert clock(db, ticket.id, "resolution").due_at == utc(2026, 1, 6, 6)
    # The first-response clock paused and resumed too, and had run out on Friday 10:00.
    assert clock(db, ticket.id, "first_response").due_at == utc(2026, 1, 2, 2)


@pytest.mark.hookspec("crm_service_sla_breached")
def test_the_check_escalates_an_overdue_ticket_exactly_once(db, customer, agent, office_policy):
    ticket = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="complaint",
        subject="投诉: 上门太慢",
        sla_policy="office hours",
        at=utc(2025, 12, 31, 8),
    )
    tickets.claim(db, ticket.id, agent, at=utc(2025, 12, 31, 8))
    db.commit()
    # Friday 11:00 local: the first response (due 10:00) is late; resolution is not.
    late = utc(2026, 1, 2, 3)
    assert escalation.check_sla(db, late) == [(ticket.id, "first_response")]
    db.commit()
    assert escalation.check_sla(db, late + timedelta(minutes=5)) == []
    db.commit()
    db.refresh(ticket)
    assert ticket.priority == "high" and ticket.escalation_level == 1
    notes = db.scalars(
        sa.select(Notification).where(
            Notification.user_id == agent.id, Notification.kind == "service.sla_breached"
        )
    ).all()
    assert len(notes) == 1 and f"#{ticket.id}" in notes[0].title
    events = db.scalars(
        sa.select(OutboxEvent.payload).where(OutboxEvent.name == "crm_service_sla_breached")
    ).all()
    breach = {"ticket_id": ticket.id, "clock": "first_response", "customer_ids": [customer.id]}
    assert events.count(breach) == 1


def test_the_scheduled_job_runs_the_same_check(app, db, customer, office_policy, run_jobs):
    ticket = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="inquiry",
        subject="账单疑问",
        sla_policy="office hours",
        at=utc(2025, 12, 31, 8),
    )
    db.commit()
    for n in range(2):
        enqueue(db, jobs.CHECK_SLA, {"now": utc(2026, 1, 6, 0).isoformat()}, key=f"check-{n}")
        db.commit()
        run_jobs(names=[jobs.CHECK_SLA])
    db.refresh(ticket)
    # Both clocks were overdue on Tuesday morning: two escalations, in the one first run.
    assert ticket.priority == "urgent" and ticket.escalation_level == 2
    assert clock(db, ticket.id, "resolution").breached_at == utc(2026, 1, 6, 0)


def test_the_job_is_scheduled_every_minute(app):
    from crm_host.runtime.facade import get_runtime

    schedule = get_runtime(app).jobs.schedules[jobs.CHECK_SLA]
    assert schedule.every == timedelta(minutes=1) and not schedule.per_department


def test_stopped_and_paused_clocks_are_never_breached(db, customer, office_policy):
    resolved = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="inquiry",
        subject="x",
        sla_policy="office hours",
        at=utc(2025, 12, 31, 8),
    )
    tickets.add_message(db, resolved, kind="reply", body="已收到", at=utc(2025, 12, 31, 9))
    tickets.transition(db, resolved, "resolved", at=utc(2025, 12, 31, 9, 30))
    waiting = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="inquiry",
        subject="y",
        sla_policy="office hours",
        at=utc(2025, 12, 31, 8),
    )
    tickets.add_message(db, waiting, kind="reply", body="请提供户号", at=utc(2025, 12, 31, 9))
    tickets.transition(db, waiting, "waiting_on_customer", at=utc(2025, 12, 31, 9, 30))
    # Weeks later nothing is overdue: one ticket is done, the other waits on its customer.
    assert escalation.check_sla(db, utc(2026, 2, 1, 0)) == []
    assert waiting.priority == "normal" and waiting.escalation_level == 0
