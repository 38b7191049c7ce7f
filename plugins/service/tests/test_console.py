"""The console: the ticket queue and ticket pages, the menu entry, KPIs and the 360° panel."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_service import escalation, tickets
from crm_service.models import Ticket
from flask_login import login_user

from crm_host.security.auth import LoginUser
from crm_host.web._scoped import kpis_for, menu_for, panels_for


@pytest.fixture
def console(client_for, agent):
    return client_for(agent)


def test_the_queue_lists_open_tickets_and_claims_from_the_page(console, db, customer, agent):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="查电费"
    )
    db.commit()
    page = console.get("/service/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "查电费" in html and customer.name in html
    assert f'action="/service/tickets/{ticket.id}/claim"' in html
    claimed = console.post(f"/service/tickets/{ticket.id}/claim", follow_redirects=True)
    assert claimed.status_code == 200
    db.refresh(ticket)
    assert ticket.assignee_id == agent.id
    mine = console.get("/service/?view=mine").get_data(as_text=True)
    assert "查电费" in mine


def test_the_ticket_page_moves_and_answers(console, db, customer, agent):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="查电费"
    )
    tickets.claim(db, ticket.id, agent)
    db.commit()
    url = f"/service/tickets/{ticket.id}"
    assert "查电费" in console.get(url).get_data(as_text=True)
    console.post(f"{url}/messages", data={"kind": "reply", "body": "已为您查询"})
    console.post(f"{url}/status", data={"status": "resolved"})
    db.refresh(ticket)
    assert ticket.status == "resolved" and ticket.first_responded_at is not None
    page = console.post(
        f"{url}/status", data={"status": "waiting_on_customer"}, follow_redirects=True
    )
    assert "cannot go from resolved to waiting_on_customer" in page.get_data(as_text=True)
    assert console.get("/service/tickets/99999999").status_code == 404


def test_other_departments_do_not_see_the_pages(client_for, make_user):
    sales = client_for(make_user("sales-sue", departments=["sales"]))
    assert sales.get("/service/").status_code == 403


def test_menu_kpis_and_panel_for_the_service_centre(app, db, customer, agent, policy):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="complaint", subject="投诉"
    )
    db.commit()
    escalation.check_sla(db, ticket.created_at.replace(year=ticket.created_at.year + 1))
    db.commit()
    with app.test_request_context():
        login_user(LoginUser(agent))
        assert "service_console.queue" in [item.endpoint for item in menu_for(agent)]
        kpis = {str(k["label"]): k["value"] for k in kpis_for(agent) if k["plugin"] == "service"}
        assert kpis == {"Open tickets": 1, "SLA breached": 1}
        panels = [p for p in panels_for(customer, agent) if p.template.startswith("service/")]
        assert [t.id for t in panels[0].context["service_tickets"]] == [ticket.id]
        html = app.jinja_env.get_template(panels[0].template).render(**panels[0].context)
        assert "投诉" in html


def test_a_ticket_is_opened_at_the_phone(console, db, customer, agent):
    found = console.get("/service/tickets/new", query_string={"phone": "138-0013-8000"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and customer.name in html
    assert f"customer_id={customer.id}" in html
    opened = console.post(
        "/service/tickets/new",
        data={
            "customer_id": str(customer.id),
            "ticket_type": "fault_repair",
            "priority": "high",
            "subject": "来电: 家里停电",
            "description": "一楼配电箱跳闸",
            "auto_assign": "on",
        },
    )
    assert opened.status_code == 302
    ticket = db.scalar(sa.select(Ticket).where(Ticket.subject == "来电: 家里停电"))
    assert opened.headers["Location"].endswith(f"/service/tickets/{ticket.id}")
    assert ticket.source == "console" and ticket.created_by_id == agent.id
    assert ticket.assignee_id is not None and ticket.priority == "high"
    refused = console.post(
        "/service/tickets/new", data={"customer_id": "x", "ticket_type": "inquiry", "subject": "y"}
    )
    assert refused.status_code == 200 and "no customer" in refused.get_data(as_text=True)
