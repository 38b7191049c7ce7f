"""Opening, changing and moving tickets through the service layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from crm_service import tickets
from crm_service.models import TicketType

from crm_host.sdk import AuditLog, Conflict, Interaction, SlaClock, ValidationFailed
from crm_host.testing.tables import OutboxEvent

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def clocks(db, ticket_id):
    return {
        c.name: c
        for c in db.scalars(
            sa.select(SlaClock).where(
                SlaClock.object_type == "service.ticket", SlaClock.object_id == str(ticket_id)
            )
        )
    }


def test_the_four_ticket_types_are_seeded_on_first_use(db, customer):
    tickets.open_ticket(db, customer_id=customer.id, ticket_type="fault_repair", subject="x")
    codes = set(db.scalars(sa.select(TicketType.code)))
    assert {"inquiry", "request", "complaint", "fault_repair"} <= codes


@pytest.mark.hookspec("crm_service_ticket_created")
def test_opening_a_ticket_queues_it_starts_clocks_and_records_everything(
    db, customer, agent, policy, service_department
):
    ticket = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="fault_repair",
        subject="停电了",
        description="整栋楼没有电",
        actor=agent,
        at=T0,
    )
    db.commit()
    assert ticket.status == "new" and ticket.department_id == service_department.id
    assert ticket.sla_policy_id == policy.id
    running = clocks(db, ticket.id)
    assert running["first_response"].due_at == T0 + timedelta(minutes=60)
    assert running["resolution"].due_at == T0 + timedelta(hours=8)
    entry = db.scalar(
        sa.select(Interaction).where(
            Interaction.object_type == "service.ticket", Interaction.object_id == ticket.id
        )
    )
    assert entry.source_plugin == "service" and entry.channel == "ticket"
    assert entry.subject == f"#{ticket.id} Ticket opened: 停电了"
    assert (
        db.scalar(
            sa.select(AuditLog.action).where(
                AuditLog.object_type == "service.ticket", AuditLog.object_id == str(ticket.id)
            )
        )
        == "create"
    )
    events = db.scalars(
        sa.select(OutboxEvent.payload).where(OutboxEvent.name == "crm_service_ticket_created")
    ).all()
    assert {"ticket_id": ticket.id, "customer_ids": [customer.id]} in events


def test_bad_tickets_are_refused_with_every_field_named(db, customer):
    with pytest.raises(ValidationFailed) as caught:
        tickets.open_ticket(
            db,
            customer_id=customer.id,
            ticket_type="inquiry",
            subject=" ",
            priority="whenever",
            channel="pigeon",
        )
    assert set(caught.value.details) == {"subject", "priority", "channel"}
    with pytest.raises(ValidationFailed, match="no ticket type"):
        tickets.open_ticket(db, customer_id=customer.id, ticket_type="nope", subject="x")
    with pytest.raises(ValidationFailed, match="no customer"):
        tickets.open_ticket(db, customer_id=999_999, ticket_type="inquiry", subject="x")


def test_no_policy_means_no_clocks(db, customer):
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    assert ticket.sla_policy_id is None and clocks(db, ticket.id) == {}


def test_the_most_specific_policy_wins(db, customer):
    from crm_service.sla import save_policy
    from crm_service.types import ensure_defaults

    ensure_defaults(db)
    complaint = db.scalar(sa.select(TicketType).where(TicketType.code == "complaint"))
    save_policy(db, {"name": "any", "first_response_minutes": 600, "resolution_minutes": 6000})
    save_policy(
        db,
        {
            "name": "urgent",
            "priority": "urgent",
            "first_response_minutes": 30,
            "resolution_minutes": 240,
        },
    )
    best = save_policy(
        db,
        {
            "name": "urgent complaints",
            "priority": "urgent",
            "type_id": complaint.id,
            "first_response_minutes": 15,
            "resolution_minutes": 120,
        },
    )
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="complaint", subject="x", priority="urgent"
    )
    assert ticket.sla_policy_id == best.id
    other = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    assert db.get(type(best), other.sla_policy_id).name == "any"


@pytest.mark.hookspec("crm_service_ticket_resolved")
def test_the_status_flow_pauses_resumes_and_stops_the_clocks(db, customer, agent, policy):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="request", subject="换表", at=T0
    )
    assert tickets.claim(db, ticket.id, agent, at=T0)
    db.refresh(ticket)
    assert ticket.status == "assigned" and ticket.assignee_id == agent.id
    tickets.transition(db, ticket, "in_progress", actor=agent, at=T0 + timedelta(minutes=10))
    tickets.add_message(
        db, ticket, kind="reply", body="我们马上处理", actor=agent, at=T0 + timedelta(minutes=20)
    )
    assert clocks(db, ticket.id)["first_response"].stopped_at == T0 + timedelta(minutes=20)
    assert ticket.first_responded_at == T0 + timedelta(minutes=20)
    # Waiting on the customer for two hours moves the resolution deadline by two hours.
    tickets.transition(db, ticket, "waiting_on_customer", at=T0 + timedelta(hours=1))
    assert clocks(db, ticket.id)["resolution"].due_at is None
    tickets.transition(db, ticket, "in_progress", at=T0 + timedelta(hours=3))
    assert clocks(db, ticket.id)["resolution"].due_at == T0 + timedelta(hours=10)
    tickets.transition(db, ticket, "resolved", actor=agent, at=T0 + timedelta(hours=4))
    resolution = clocks(db, ticket.id)["resolution"]
    assert resolution.stopped_at == T0 + timedelta(hours=4) and resolution.breached_at is None
    assert ticket.resolved_at == T0 + timedelta(hours=4)
    assert {"ticket_id": ticket.id, "customer_ids": [customer.id]} in db.scalars(
        sa.select(OutboxEvent.payload).where(OutboxEvent.name == "crm_service_ticket_resolved")
    ).all()
    tickets.transition(db, ticket, "closed", at=T0 + timedelta(hours=5))
    assert ticket.closed_at == T0 + timedelta(hours=5)


def test_a_reopened_ticket_gets_a_fresh_resolution_clock(db, customer, agent, policy):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="request", subject="x", at=T0
    )
    tickets.transition(db, ticket, "resolved", at=T0 + timedelta(hours=1))
    tickets.transition(db, ticket, "in_progress", at=T0 + timedelta(hours=2))
    assert ticket.reopen_count == 1 and ticket.resolved_at is None
    fresh = clocks(db, ticket.id)["resolution_2"]
    assert fresh.due_at == T0 + timedelta(hours=10)
    subjects = db.scalars(
        sa.select(Interaction.subject).where(
            Interaction.object_type == "service.ticket", Interaction.object_id == ticket.id
        )
    ).all()
    assert f"#{ticket.id} Ticket reopened" in subjects


def test_illegal_transitions_are_refused_and_change_nothing(db, customer):
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    with pytest.raises(Conflict, match="from new to closed"):
        tickets.transition(db, ticket, "closed")
    with pytest.raises(Conflict, match="assign the ticket"):
        tickets.transition(db, ticket, "assigned")
    assert ticket.status == "new"


def test_claim_has_one_winner_and_skips_finished_tickets(db, customer, agent, make_user):
    other = make_user("agent-bob", departments=["service"], role="agent")
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    assert tickets.claim(db, ticket.id, agent) is True
    assert tickets.claim(db, ticket.id, other) is False
    db.refresh(ticket)
    assert ticket.assignee_id == agent.id
    done = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="y")
    tickets.transition(db, done, "resolved")
    assert tickets.claim(db, done.id, agent) is False


def test_round_robin_takes_the_department_agents_in_turn(
    db, customer, make_user, service_department
):
    from crm_service.queues import agents

    first = make_user("rr-1", departments=["service"], role="agent")
    second = make_user("rr-2", departments=["service"], role="manager")
    watcher = make_user("rr-3", departments=["service"], role="viewer")
    people = agents(db, service_department.id)
    assert {first.id, second.id} <= {u.id for u in people}
    assert watcher.id not in {u.id for u in people}
    chosen = []
    for n in range(len(people) + 1):
        ticket = tickets.open_ticket(
            db, customer_id=customer.id, ticket_type="inquiry", subject=f"t{n}", auto_assign=True
        )
        chosen.append(ticket.assignee_id)
        assert ticket.status == "assigned"
    ids = [u.id for u in people]
    start = ids.index(chosen[0])
    assert chosen == [ids[(start + i) % len(ids)] for i in range(len(ids) + 1)]


def test_notes_do_not_count_as_a_first_response(db, customer, agent, policy):
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    tickets.add_message(db, ticket, kind="note", body="客户很着急", actor=agent)
    assert ticket.first_responded_at is None
    assert clocks(db, ticket.id)["first_response"].stopped_at is None
    with pytest.raises(ValidationFailed):
        tickets.add_message(db, ticket, kind="reply", body="   ", actor=agent)


def test_changes_are_validated_audited_and_on_the_timeline(db, customer, agent):
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="x")
    tickets.update_ticket(db, ticket, {"priority": "high", "category": "电费"}, actor=agent)
    assert ticket.priority == "high" and ticket.category == "电费"
    with pytest.raises(ValidationFailed):
        tickets.update_ticket(db, ticket, {"status": "closed"})
    with pytest.raises(ValidationFailed):
        tickets.update_ticket(db, ticket, {"contact_id": 987654})
    subjects = db.scalars(
        sa.select(Interaction.subject).where(
            Interaction.object_type == "service.ticket", Interaction.object_id == ticket.id
        )
    ).all()
    assert f"#{ticket.id} Ticket changed: category, priority" in subjects
