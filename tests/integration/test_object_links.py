"""Lists that name an object — the timeline, notifications, the audit log — link it
through the object registry, and only for whoever may read it: no link, no label."""

from __future__ import annotations

import pytest

from crm_host.records import audit, notifications, timeline


@pytest.fixture
def ticket(db, make_customer):
    """A service ticket, a host note about it on the customer's timeline, and the customer."""
    from crm_service.tickets import open_ticket

    customer = make_customer(name="王芳")
    opened = open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="停电抢修单")
    timeline.add_entry(
        db,
        customer_id=customer.id,
        channel="note",
        subject="电话跟进",
        about=("service.ticket", opened.id),
    )
    db.commit()
    return customer, opened


def _link(ticket_id: int) -> dict:
    return {
        "type": "service.ticket",
        "id": str(ticket_id),
        "label": "停电抢修单",
        "url": f"/service/tickets/{ticket_id}",
        "api_url": f"/api/v1/service/tickets/{ticket_id}",
    }


def test_the_api_timeline_links_an_entry_only_for_who_may_read_its_object(
    ticket, make_user, client_for
):
    customer, opened = ticket
    agent = client_for(make_user("agent", departments=["service"]))
    seller = client_for(make_user("seller", departments=["sales"]))
    path = f"/api/v1/customers/{customer.id}/timeline"

    seen = {e["subject"]: e["object"] for e in agent.get(path).json["items"]}
    assert seen["电话跟进"] == _link(opened.id)
    # The ticket's own entry (written by service) is about the ticket too.
    assert [o for s, o in seen.items() if s.startswith(f"#{opened.id} ")] == [_link(opened.id)]

    answer = seller.get(path)
    # The host note is shown to sales, but not what it is about: no link, no label.
    assert [(e["subject"], e["object"]) for e in answer.json["items"]] == [("电话跟进", None)]
    assert "停电抢修单" not in answer.get_data(as_text=True)


def test_a_user_writes_an_entry_only_about_an_object_they_may_read(ticket, make_user, client_for):
    customer, opened = ticket
    path = f"/api/v1/customers/{customer.id}/timeline"
    note = {"channel": "phone", "subject": "回电", "about": ["service.ticket", opened.id]}
    agent = client_for(make_user("agent", departments=["service"]))
    written = agent.post(path, json=note)
    assert written.status_code == 201 and written.json["object"] == _link(opened.id)
    seller = client_for(make_user("seller", departments=["sales"]))
    assert seller.post(path, json=note).status_code == 404
    refused = seller.post(path, json={**note, "about": ["service.nothing", 1]})
    assert refused.status_code == 422 and "about" in refused.json["errors"]


def test_the_console_timeline_links_each_entry_to_its_object(ticket, make_user, client_for):
    customer, opened = ticket
    agent = client_for(make_user("agent", departments=["service"]))
    seller = client_for(make_user("seller", departments=["sales"]))
    page = agent.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert f'<a href="/service/tickets/{opened.id}" class="object-link">停电抢修单</a>' in page
    page = seller.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "电话跟进" in page and "停电抢修单" not in page and "object-link" not in page


def test_a_timeline_entry_names_a_registered_type(db, make_customer):
    customer = make_customer()
    with pytest.raises(Exception) as refused:
        timeline.add_entries(
            db,
            [{"customer_id": customer.id, "channel": "note", "subject": "x", "about": ("no", 1)}],
        )
    assert list(refused.value.details) == ["0.about"]
    assert "service.ticket" in refused.value.details["0.about"][0]


def test_notifications_link_their_object(db, ticket, make_user, client_for):
    _customer, opened = ticket
    user = make_user("agent", departments=["service"])
    notifications.notify(
        db,
        user,
        kind="ticket",
        title="新工单",
        plugin="service",
        about=("service.ticket", opened.id),
    )
    notifications.notify(db, user, kind="news", title="系统维护")
    db.commit()
    items = client_for(user).get("/api/v1/notifications").json["items"]
    assert {i["title"]: i["object"] for i in items} == {
        "新工单": _link(opened.id),
        "系统维护": None,
    }


def test_the_audit_log_links_rows_to_registered_objects(db, ticket, make_user, client_for):
    customer, opened = ticket
    service_admin = client_for(make_user("root", admin=True, departments=["service"]))
    sales_admin = client_for(make_user("boss", admin=True, departments=["sales"]))
    path = "/api/v1/audit?object_type=service.ticket&action=create"
    [row] = service_admin.get(path).json["items"]
    assert row["object"] == _link(opened.id)
    # An administrator without the service plugin sees the row, not what it links to.
    [row] = sales_admin.get(path).json["items"]
    assert row["object"] is None and row["object_id"] == str(opened.id)
    [row] = sales_admin.get("/api/v1/audit?object_type=customer&action=create").json["items"]
    assert row["object"]["url"] == f"/customers/{customer.id}"
    assert row["object"]["label"] == "王芳"
    # Rows about something that is no registered object carry no link.
    audit.record(db, "create", "webhook", 1, after={"url": "https://example.com/hook"})
    db.commit()
    [row] = service_admin.get("/api/v1/audit?object_type=webhook").json["items"]
    assert row["object"] is None
    page = service_admin.get("/admin/audit?object_type=service.ticket").get_data(as_text=True)
    assert f'<a href="/service/tickets/{opened.id}" class="object-link">停电抢修单</a>' in page


def test_audit_entity_names_map_to_registered_types(app):
    from crm_host.core.host import get_host
    from crm_host.core.objects.links import audit_object_type

    registry = get_host(app).objects
    named = {
        entity: audit_object_type(registry, entity)
        for entity in ("service.ticket", "customer", "power_faults", "sales_lead", "webhook", None)
    }
    assert named == {
        "service.ticket": "service.ticket",
        "customer": "customer",
        "power_faults": "power.fault",
        "sales_lead": "sales.lead",
        "webhook": None,
        None: None,
    }
