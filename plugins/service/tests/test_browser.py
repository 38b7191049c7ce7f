"""The service console in a real browser: a call comes in, the agent finds the caller
by number, opens a ticket, claims it and starts work."""

from __future__ import annotations

import re

import sqlalchemy as sa
from crm_service.models import Ticket

from crm_host.domain.customers.service import create_customer
from crm_host.sdk import User
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


def test_an_agent_resolves_and_the_customer_answers_the_survey(
    browser_page, chromium, live_server, committed_db
):
    from crm_service import tickets
    from crm_service.models import Survey

    agent_id = make_committed_user(committed_db, "rita", departments=["service"], role="agent")
    with committed_db.session() as session:
        customer = create_customer(session, {"code": "SV-2", "name": "赵敏", "kind": "person"})
        ticket = tickets.open_ticket(
            session,
            customer_id=customer.id,
            ticket_type="fault_repair",
            subject="路灯不亮",
            department="service",
        )
        tickets.assign(session, ticket, session.get(User, agent_id))
        tickets.transition(session, ticket, "in_progress")
        session.commit()
        ticket_id = ticket.id
    page = browser_page
    sign_in(page, "rita", TEST_PASSWORD)
    page.goto(f"/service/tickets/{ticket_id}")
    page.select_option("select[name=status]", "resolved")
    page.click("text=Change status")
    page.wait_for_url(re.compile(rf".*/service/tickets/{ticket_id}$"))
    link = page.get_attribute("a.survey-link", "href")
    assert link and "/l/service.survey/" in link

    # The customer is nobody here: a browser context of its own, never signed in.
    context = chromium.new_context(base_url=live_server, locale="zh-CN")
    try:
        visitor = context.new_page()
        visitor.goto(link)
        assert "满意度调查" in visitor.inner_text("main")
        visitor.check("input[name=csat][value='5']")
        visitor.select_option("select[name=nps]", "10")
        visitor.fill("textarea[name=comment]", "抢修很及时")
        visitor.click("main form button[type=submit]")
        visitor.wait_for_selector("text=感谢您的评价。")
    finally:
        context.close()
    with committed_db.session() as session:
        survey = session.scalar(sa.select(Survey).where(Survey.ticket_id == ticket_id))
        assert (survey.csat, survey.nps, survey.comment) == (5, 10, "抢修很及时")
        assert survey.answered_at is not None and survey.follow_up_ticket_id is None
