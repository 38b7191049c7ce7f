"""What the plugin publishes (its command and events) and how it takes part in the
host's merges, erasures and exports."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from crm_service import tickets
from crm_service.hookspecs import ServiceHooks
from crm_service.models import Ticket, TicketMessage

from crm_host.sdk import ValidationFailed, get_host
from crm_host.sdk.customers import erase_customer, export_customer, merge_customers
from crm_host.testing.contract import undocumented_hookspecs, untested_hookspecs


def test_every_published_hookspec_is_documented_and_tested():
    assert undocumented_hookspecs(ServiceHooks) == {}
    assert untested_hookspecs(ServiceHooks, [Path(__file__).parent]) == set()


@pytest.mark.hookspec("crm_service_open_ticket")
def test_another_plugin_opens_a_ticket_through_the_command(app, db, customer, policy):
    hook = get_host(app).plugins.hook
    with app.app_context():
        ticket_id = hook.crm_service_open_ticket(
            customer_id=customer.id,
            ticket_type="fault_repair",
            subject="表计告警",
            description="电表上报异常",
            sla_policy="standard",
            source="industry_power",
        )
        get_host(app).session.commit()
    ticket = db.get(Ticket, ticket_id)
    assert ticket.source == "industry_power" and ticket.sla_policy_id == policy.id
    assert ticket.channel == "system"
    with app.app_context(), pytest.raises(ValidationFailed):
        hook.crm_service_open_ticket(
            customer_id=customer.id,
            ticket_type="fault_repair",
            subject="x",
            description="",
            sla_policy="no such policy",
            source="industry_power",
        )


@pytest.mark.hookspec("crm_customers_merging")
def test_a_merge_moves_tickets_to_the_survivor(app, db, customer, make_customer):
    duplicate = make_customer(name="王芳 (重复)")
    moved = tickets.open_ticket(db, customer_id=duplicate.id, ticket_type="inquiry", subject="x")
    merge_customers(db, customer, duplicate)
    db.commit()
    assert db.get(Ticket, moved.id).customer_id == customer.id


@pytest.mark.hookspec("crm_customer_erasing")
def test_an_erasure_removes_the_free_text_and_keeps_the_figures(app, db, customer, agent):
    ticket = tickets.open_ticket(
        db,
        customer_id=customer.id,
        ticket_type="complaint",
        subject="王芳投诉抄表员",
        description="电话 13800138000",
        category="抄表",
    )
    tickets.add_message(db, ticket, kind="reply", body="王芳您好", actor=agent)
    tickets.transition(db, ticket, "resolved")
    db.commit()
    for _ in range(2):  # idempotent
        erase_customer(db, customer)
        db.commit()
    db.refresh(ticket)
    assert (ticket.subject, ticket.description, ticket.category) == ("[erased]", "", None)
    assert ticket.status == "resolved" and ticket.resolved_at is not None
    bodies = db.scalars(sa.select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id))
    assert list(bodies) == ["[erased]"]


@pytest.mark.hookspec("crm_customer_export")
def test_the_export_holds_the_tickets_and_their_messages(app, db, customer, agent):
    ticket = tickets.open_ticket(db, customer_id=customer.id, ticket_type="request", subject="过户")
    tickets.add_message(db, ticket, kind="note", body="需要身份证", actor=agent)
    db.commit()
    with app.app_context():
        data = export_customer(db, customer.id)
    mine = data["plugins"]["service"]
    assert [t["subject"] for t in mine["tickets"]] == ["过户"]
    assert [m["body"] for m in mine["ticket_messages"]] == ["需要身份证"]
