"""``crm service …``: open, list and move tickets, manage policies, run the SLA check."""

from __future__ import annotations

import sqlalchemy as sa
from crm_service.models import Ticket


def test_open_list_and_move_tickets(cli, db, customer):
    opened = cli("service", "tickets", "open", str(customer.id), "停电了", "--type", "fault_repair")
    assert opened.exit_code == 0, opened.output
    ticket_id = db.scalar(sa.select(Ticket.id).where(Ticket.subject == "停电了"))
    assert f"Opened ticket #{ticket_id} (new)." in opened.output
    listed = cli("service", "tickets", "list")
    assert f"#{ticket_id}" in listed.output and "停电了" in listed.output
    moved = cli("service", "tickets", "move", str(ticket_id), "resolved")
    assert moved.exit_code == 0 and f"Ticket #{ticket_id} is resolved." in moved.output
    assert f"#{ticket_id}" not in cli("service", "tickets", "list").output
    assert f"#{ticket_id}" in cli("service", "tickets", "list", "--all").output


def test_errors_are_clean_messages(cli, customer):
    bad = cli("service", "tickets", "open", str(customer.id), "x", "--type", "nope")
    assert bad.exit_code == 1 and "Error: no ticket type 'nope'" in bad.output
    opened = cli("service", "tickets", "open", str(customer.id), "y")
    ticket_id = opened.output.split("#")[1].split()[0]
    illegal = cli("service", "tickets", "move", ticket_id, "closed")
    assert illegal.exit_code == 1 and "cannot go from new to closed" in illegal.output


def test_policies_and_the_sla_check(cli, customer):
    added = cli(
        "service", "sla", "add-policy", "fast", "--first-response", "5", "--resolution", "60"
    )
    assert added.exit_code == 0, added.output
    assert "first response 5 min" in cli("service", "sla", "policies").output
    cli("service", "tickets", "open", str(customer.id), "z", "--sla-policy", "fast")
    checked = cli("service", "sla", "check", "--at", "2099-01-01T00:00+0000")
    assert checked.exit_code == 0, checked.output
    assert "first_response breached" in checked.output
    assert "2 breach(es) escalated." in checked.output
