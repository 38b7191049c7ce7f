"""The escalation chain: each step applies once to an overdue ticket, however often
the schedule runs, in the order of its minutes overdue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from crm_service import chain, escalation, tickets
from crm_service.models import Escalation, EscalationStep

from crm_host.sdk import Department, ValidationFailed
from crm_host.testing.tables import Notification


def utc(hh, mm=0, day=5):
    return datetime(2026, 1, day, hh, mm, tzinfo=UTC)


@pytest.fixture
def tier2(db):
    row = Department(code="tier2", name="二线支持")
    db.add(row)
    db.commit()
    return row


@pytest.fixture
def steps(db, tier2, make_user):
    """Raise at once, move to tier 2 after an hour, give to the manager after four."""
    mia = make_user("manager-mia", departments=["service"], role="manager")
    chain.save_step(db, {"name": "duty", "after_minutes": 0, "raise_priority": True})
    chain.save_step(
        db, {"name": "tier 2", "after_minutes": 60, "department_id": tier2.id, "notify": False}
    )
    chain.save_step(db, {"name": "manager", "after_minutes": 240, "assignee_id": mia.id})
    db.commit()
    return mia


def test_each_step_applies_once_as_the_ticket_stays_overdue(
    db, customer, agent, policy, steps, tier2
):
    # 24x7 policy: first response due 09:00, resolution due 16:00.
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="无人回复", at=utc(8)
    )
    tickets.assign(db, ticket, agent, at=utc(8, 5))
    db.commit()

    assert escalation.check(db, utc(8, 59)) == ([], [])
    first = escalation.check(db, utc(9, 30))
    db.commit()
    assert first == ([(ticket.id, "first_response")], [(ticket.id, "duty")])
    # The second run finds the breach marked and the step applied: nothing to do.
    assert escalation.check(db, utc(9, 30)) == ([], [])
    assert (ticket.priority, ticket.escalation_level, ticket.assignee_id) == ("high", 1, agent.id)

    assert escalation.check(db, utc(10)) == ([], [(ticket.id, "tier 2")])
    assert escalation.check(db, utc(10)) == ([], [])
    assert (ticket.department_id, ticket.assignee_id, ticket.escalation_level) == (
        tier2.id,
        None,
        2,
    )

    # 16:30: the resolution clock breaches too, but steps count per ticket: overdue
    # since 09:00 (450 minutes), so the manager step, once.
    assert escalation.check(db, utc(16, 30)) == (
        [(ticket.id, "resolution")],
        [(ticket.id, "manager")],
    )
    assert escalation.check(db, utc(23)) == ([], [])
    assert (ticket.assignee_id, ticket.priority, ticket.escalation_level) == (steps.id, "high", 3)
    assert db.scalar(sa.select(sa.func.count()).select_from(Escalation)) == 3
    # Notified: the agent at the first step, the manager at the last; tier 2 is silent.
    told = db.execute(
        sa.select(Notification.user_id, Notification.title)
        .where(Notification.kind == "service.escalated")
        .order_by(Notification.id)
    ).all()
    assert told == [
        (agent.id, f"Ticket #{ticket.id} escalated: duty"),
        (steps.id, f"Ticket #{ticket.id} escalated: manager"),
    ]


def test_the_first_run_applies_every_step_already_due(db, customer, policy, steps):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="周末无人", at=utc(8)
    )
    db.commit()
    breaches, applied = escalation.check(db, utc(8, day=6))
    assert [name for _id, name in applied] == ["duty", "tier 2", "manager"]
    assert sorted(breaches) == [(ticket.id, "first_response"), (ticket.id, "resolution")]
    assert escalation.check(db, utc(9, day=6)) == ([], [])


def test_a_ticket_waiting_on_the_customer_or_resolved_is_left_alone(db, customer, policy, steps):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="等客户", at=utc(8)
    )
    escalation.check(db, utc(9, 1))
    tickets.transition(db, ticket, "waiting_on_customer", at=utc(9, 2))
    assert escalation.check(db, utc(20)) == ([], [])
    assert ticket.escalation_level == 1


def test_steps_are_checked(db, tier2, agent):
    with pytest.raises(ValidationFailed) as both:
        chain.save_step(
            db,
            {"name": "x", "after_minutes": 5, "department_id": tier2.id, "assignee_id": agent.id},
        )
    assert "not both" in both.value.details["assignee_id"][0]
    with pytest.raises(ValidationFailed) as idle:
        chain.save_step(db, {"name": "y", "after_minutes": -1, "notify": False})
    assert set(idle.value.details) == {"after_minutes", "notify"}


def test_steps_through_the_api_and_the_cli(db, client_for, make_user, cli, customer, policy):
    admin = client_for(make_user("boss", departments=["service"], role="manager", admin=True))
    made = admin.post(
        "/api/v1/service/escalation-steps",
        json={"name": "值班长", "after_minutes": 30, "raise_priority": True},
    )
    assert made.status_code == 201, made.json
    bad = admin.post(
        "/api/v1/service/escalation-steps", json={"name": "坏", "after_minutes": "soon"}
    )
    assert bad.status_code == 422 and "after_minutes" in str(bad.json)
    off = admin.patch(f"/api/v1/service/escalation-steps/{made.json['id']}", json={"active": False})
    assert off.status_code == 200 and off.json["active"] is False
    assert admin.get("/api/v1/service/escalation-steps").json[0]["name"] == "值班长"

    added = cli("service", "sla", "add-step", "greet", "--after", "0", "--raise-priority")
    assert added.exit_code == 0, added.output
    assert "greet" in cli("service", "sla", "steps").output
    wrong = cli("service", "sla", "add-step", "q", "--after", "5", "--queue", "nowhere")
    assert wrong.exit_code == 1 and "no department 'nowhere'" in wrong.output
    cli("service", "tickets", "open", str(customer.id), "催办")
    checked = cli("service", "sla", "check", "--at", "2099-01-01T00:00+0000")
    assert "escalation step 'greet' applied" in checked.output
    assert "2 breach(es) marked, 1 escalation step(s) applied." in checked.output


def test_the_chain_page_adds_changes_and_refuses_steps(db, client_for, make_user, agent):
    manager = client_for(make_user("chain-admin", departments=["service"], admin=True))
    assert client_for(agent).get("/service/escalation").status_code == 403
    queue = db.scalar(sa.select(Department).where(Department.code == "service"))

    added = manager.post(
        "/service/escalation/new",
        data={
            "name": "值班长接手",
            "after_minutes": "60",
            "raise_priority": "on",
            "department_id": str(queue.id),
            "notify": "on",
            "active": "on",
        },
    )
    assert added.status_code == 302
    step = db.scalar(sa.select(EscalationStep).where(EscalationStep.name == "值班长接手"))
    assert (step.after_minutes, step.raise_priority, step.department_id, step.notify) == (
        60,
        True,
        queue.id,
        True,
    )
    page = manager.get("/service/escalation", headers={"Accept-Language": "zh-CN"}).text
    assert "值班长接手" in page and "升级链" in page

    # A refused step comes back with what was typed and the reason, and nothing is saved.
    refused = manager.post(
        "/service/escalation/new",
        data={"name": "什么也不做", "after_minutes": "abc", "active": "on"},
    )
    assert refused.status_code == 200
    assert 'value="什么也不做"' in refused.text and "after_minutes" in refused.text
    assert db.scalar(sa.select(EscalationStep).where(EscalationStep.name == "什么也不做")) is None

    # Clearing "active" takes the step out of the chain; it stays listed.
    changed = manager.post(
        f"/service/escalation/{step.id}",
        data={"name": "值班长接手", "after_minutes": "90", "notify": "on"},
    )
    assert changed.status_code == 302
    db.expire_all()
    assert (step.after_minutes, step.active) == (90, False)
    assert step not in chain.active_steps(db)
    assert "值班长接手" in manager.get(f"/service/escalation/{step.id}").text
