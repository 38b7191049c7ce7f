"""The service console in a real browser: a call comes in, the agent finds the caller
by number, opens a ticket, claims it and starts work."""

from __future__ import annotations

import re

import sqlalchemy as sa
from crm_service.models import Ticket

from crm_host.customers.service import create_customer
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


def test_a_call_becomes_a_claimed_ticket(browser_page, committed_db):
    make_committed_user(committed_db, "sam", departments=["service"], role="agent")
    with committed_db.session() as session:
        create_customer(
            session, {"code": "SV-1", "name": "王芳", "kind": "person", "phone": "+8613800138000"}
        )
        session.commit()
    page = browser_page
    sign_in(page, "sam", TEST_PASSWORD)
    page.goto("/service/tickets/new")
    # The caller's number as the switchboard shows it, spaces and all.
    page.fill("input[name=phone]", "138 0013 8000")
    page.click("text=Find the caller")
    page.click("ul.callers a", timeout=10_000)
    assert page.input_value("input[name=customer_id]") != ""
    page.fill("input[name=subject]", "停电报修")
    page.fill("textarea[name=description]", "整栋楼没有电")
    page.click("text=Open the ticket")
    page.wait_for_url(re.compile(r".*/service/tickets/\d+$"))
    assert "停电报修" in page.inner_text("main")

    page.click("main form button:has-text('Claim')")
    page.select_option("select[name=status]", "in_progress")
    page.click("text=Change status")
    page.wait_for_url(re.compile(r".*/service/tickets/\d+$"))
    with committed_db.session() as session:
        ticket = session.scalar(sa.select(Ticket).where(Ticket.subject == "停电报修"))
        assert ticket.status == "in_progress" and ticket.assignee_id is not None
