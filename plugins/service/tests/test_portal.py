"""The customer portal through signed links: file a ticket or a fault report, follow
its status and reply, without an account."""

from __future__ import annotations

import re

import sqlalchemy as sa
from crm_service import portal, tickets
from crm_service.models import Ticket, TicketMessage

from crm_host.sdk import EmailMessage


def _path(url: str) -> str:
    return url[url.index("/l/") :]


def test_a_customer_files_a_fault_report_and_follows_it(app, db, make_customer, agent, cli):
    customer = make_customer(name="周强", email="zhou@example.cn")
    with app.app_context():
        link = _path(portal.customer_link(customer.id))
    visitor = app.test_client()  # nobody signed in
    page = visitor.get(link, headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "周强" in html and "故障报修" in html
    refused = visitor.post(link, data={"ticket_type": "fault_repair", "subject": ""})
    assert refused.status_code == 422 and "subject" in refused.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0
    filed = visitor.post(
        link,
        data={"ticket_type": "fault_repair", "subject": "变压器冒烟", "description": "村口那台"},
    )
    assert filed.status_code == 200
    ticket = db.scalar(sa.select(Ticket))
    assert f"ticket #{ticket.id}" in filed.get_data(as_text=True)
    assert (ticket.customer_id, ticket.channel, ticket.source) == (customer.id, "portal", "portal")
    [message] = db.scalars(sa.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id))
    assert (message.kind, message.body) == ("customer", "村口那台")
    # The follow link is mailed to the customer.
    [mail] = db.scalars(sa.select(EmailMessage).where(EmailMessage.to_address == "zhou@example.cn"))
    follow = re.search(r"/l/service\.ticket/\S+", mail.body_text).group(0)

    tickets.assign(db, ticket, agent)
    tickets.add_message(db, ticket, kind="reply", body="抢修队已出发", actor=agent)
    tickets.add_message(db, ticket, kind="note", body="内部：可能是避雷器", actor=agent)
    tickets.transition(db, ticket, "waiting_on_customer")
    db.commit()
    shown = visitor.get(follow, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "变压器冒烟" in shown and '<strong class="portal-status">等待客户</strong>' in shown
    assert "抢修队已出发" in shown and "避雷器" not in shown  # notes stay inside
    replied = visitor.post(follow, data={"body": "已经不冒烟了"})
    assert replied.status_code == 200
    db.expire_all()
    assert db.get(Ticket, ticket.id).status == "in_progress"
    assert visitor.post(follow, data={"body": " "}).status_code == 422
    assert visitor.get(follow[:-4] + "abcd").status_code == 400

    printed = cli("service", "portal-link", str(customer.id), "--ticket", str(ticket.id))
    assert printed.exit_code == 0 and "/l/service.ticket/" in printed.output
    wrong = cli("service", "portal-link", str(customer.id), "--ticket", "999999")
    assert wrong.exit_code == 1 and "has no ticket #999999" in wrong.output


def test_staff_hand_out_links_through_the_api_and_the_ticket_page(
    db, make_customer, agent, client_for
):
    customer = make_customer(name="吴敏")
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="inquiry", subject="问电价", department="service"
    )
    db.commit()
    api = client_for(agent)
    made = api.post(f"/api/v1/service/tickets/{ticket.id}/portal-link")
    assert made.status_code == 201 and "/l/service.ticket/" in made.json["url"]
    new = api.post("/api/v1/service/portal-links", json={"customer_id": customer.id})
    assert new.status_code == 201 and "/l/service.portal/" in new.json["url"]
    bad = api.post("/api/v1/service/portal-links", json={"customer_id": 999999})
    assert bad.status_code == 422 and "customer_id" in str(bad.json)
    page = api.get(f"/service/tickets/{ticket.id}").get_data(as_text=True)
    assert 'class="portal-link" href="/l/service.ticket/' in page
