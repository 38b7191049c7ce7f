"""The service REST API under /api/v1/service/: tickets, moves, claims, messages,
types, policies and the caller lookup; bad input gets a 4xx that says why."""

from __future__ import annotations

import pytest

API = "/api/v1/service"


@pytest.fixture
def manager(make_user):
    return make_user("svc-manager", departments=["service"])


@pytest.fixture
def api(client_for, manager):
    return client_for(manager)


def open_one(api, customer, **extra):
    body = {"customer_id": customer.id, "ticket_type": "fault_repair", "subject": "停电", **extra}
    response = api.post(f"{API}/tickets", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_open_read_list_and_change_a_ticket(api, customer, policy):
    ticket = open_one(api, customer, description="整栋楼停电", priority="high")
    assert ticket["status"] == "new" and ticket["ticket_type"] == "fault_repair"
    assert {c["name"] for c in ticket["clocks"]} == {"first_response", "resolution"}
    assert api.get(f"{API}/tickets/{ticket['id']}").json["subject"] == "停电"
    page = api.get(f"{API}/tickets", query_string={"open": "true", "customer_id": customer.id})
    assert [t["id"] for t in page.json["items"]] == [ticket["id"]]
    changed = api.patch(
        f"{API}/tickets/{ticket['id']}", json={"category": "线路", "priority": "urgent"}
    )
    assert changed.status_code == 200 and changed.json["priority"] == "urgent"


def test_moves_claims_and_messages(api, client_for, customer, agent, manager):
    ticket = open_one(api, customer)
    url = f"{API}/tickets/{ticket['id']}"
    claimed = client_for(agent).post(f"{url}/claim")
    assert claimed.status_code == 200 and claimed.json["ticket"]["assignee_id"] == agent.id
    again = api.post(f"{url}/claim")
    assert again.status_code == 409 and "already taken" in again.json["message"]
    moved = client_for(agent).post(f"{url}/transitions", json={"status": "in_progress"})
    assert moved.status_code == 200 and moved.json["status"] == "in_progress"
    illegal = api.post(f"{url}/transitions", json={"status": "new"})
    assert illegal.status_code == 409
    assert illegal.json["message"] == "a ticket cannot go from in_progress to new"
    reply = client_for(agent).post(f"{url}/messages", json={"body": "师傅已出发"})
    assert reply.status_code == 201 and reply.json["kind"] == "reply"
    note = api.post(f"{url}/messages", json={"kind": "note", "body": "VIP 客户"})
    assert note.status_code == 201
    assert [m["kind"] for m in api.get(f"{url}/messages").json] == ["reply", "note"]
    assert api.get(url).json["first_responded_at"] is not None


def test_assignment_by_hand_to_nobody_and_round_robin(api, customer, agent):
    ticket = open_one(api, customer)
    url = f"{API}/tickets/{ticket['id']}/assignment"
    given = api.put(url, json={"assignee_id": agent.id})
    assert given.json["assignee_id"] == agent.id and given.json["status"] == "assigned"
    taken = api.put(url, json={"assignee_id": None})
    assert taken.json["assignee_id"] is None and taken.json["status"] == "new"
    auto = api.put(url, json={"auto": True})
    assert auto.status_code == 200 and auto.json["assignee_id"] is not None
    unknown = api.put(url, json={"assignee_id": 99_999_999})
    assert unknown.status_code == 422


def test_bad_input_is_a_4xx_naming_the_fields(api, customer):
    missing = api.post(f"{API}/tickets", json={"subject": "x"})
    assert missing.status_code == 422
    assert {"customer_id", "ticket_type"} <= set(missing.json["errors"]["json"])
    bad_type = api.post(
        f"{API}/tickets", json={"customer_id": customer.id, "ticket_type": "x1", "subject": "s"}
    )
    assert bad_type.status_code == 422 and "ticket_type" in bad_type.json["errors"]
    huge = api.post(
        f"{API}/tickets", json={"customer_id": 2**40, "ticket_type": "inquiry", "subject": "s"}
    )
    assert huge.status_code == 422
    assert api.get(f"{API}/tickets/123456789").status_code == 404
    assert api.get(f"{API}/tickets/{2**70}").status_code == 404
    assert api.post(f"{API}/tickets/1/transitions", json={"status": "done"}).status_code == 422
    assert api.get(f"{API}/tickets", query_string={"department": "nope"}).status_code == 422


def test_ticket_types_and_sla_policies_are_for_administrators(api, client_for, make_user):
    admin = client_for(make_user("svc-admin", departments=["service"], admin=True))
    assert {t["code"] for t in api.get(f"{API}/ticket-types").json} >= {"inquiry", "complaint"}
    refused = api.post(f"{API}/ticket-types", json={"code": "meter_check", "label": "Meter check"})
    assert refused.status_code == 403 and "service.settings.manage" in refused.json["message"]
    created = admin.post(
        f"{API}/ticket-types",
        json={"code": "meter_check", "label": "Meter check", "label_zh": "校表"},
    )
    assert created.status_code == 201
    assert (
        admin.post(f"{API}/ticket-types", json={"code": "meter_check", "label": "x"}).status_code
        == 409
    )
    off = admin.patch(f"{API}/ticket-types/{created.json['id']}", json={"active": False})
    assert off.json["active"] is False
    policy = admin.post(
        f"{API}/sla-policies",
        json={
            "name": "VIP",
            "priority": "urgent",
            "first_response_minutes": 15,
            "resolution_minutes": 240,
        },
    )
    assert policy.status_code == 201 and policy.json["calendar"] == "24x7"
    no_calendar = admin.post(
        f"{API}/sla-policies",
        json={
            "name": "odd",
            "first_response_minutes": 1,
            "resolution_minutes": 2,
            "calendar": "mars",
        },
    )
    assert no_calendar.status_code == 422 and "calendar" in no_calendar.json["errors"]
    patched = admin.patch(
        f"{API}/sla-policies/{policy.json['id']}", json={"resolution_minutes": 120}
    )
    assert patched.json["resolution_minutes"] == 120
    assert api.get(f"{API}/sla-policies/{policy.json['id']}").json["name"] == "VIP"


def test_phone_lookup_finds_customers_by_their_number_or_a_contact(
    api, db, customer, make_customer
):
    from crm_host.sdk.customers import customer_children as children

    company = make_customer(name="恒力钢铁", kind="organization")
    children.add_child(db, "contact", company, {"name": "李工", "phone": "021-5555 0101"})
    db.commit()
    open_one(api, customer)
    mine = api.get(f"{API}/lookup", query_string={"phone": "138 0013 8000"})
    assert mine.status_code == 200
    assert [(c["id"], c["matched_by"], c["open_tickets"]) for c in mine.json] == [
        (customer.id, "customer", 1)
    ]
    via_contact = api.get(f"{API}/lookup", query_string={"phone": "02155550101"}).json
    assert [(c["id"], c["matched_by"]) for c in via_contact] == [(company.id, "contact")]
    assert api.get(f"{API}/lookup", query_string={"phone": "13900000000"}).json == []
    assert api.get(f"{API}/lookup", query_string={"phone": "call me"}).status_code == 422
    assert api.get(f"{API}/lookup").status_code == 422


def test_the_department_gate_and_the_permissions_hold(client_for, make_user, customer, agent):
    sales = client_for(make_user("sales-sam", departments=["sales"]))
    refused = sales.get(f"{API}/tickets")
    assert refused.status_code == 403 and refused.json["plugin"] == "service"
    viewer = client_for(make_user("svc-viewer", departments=["service"], role="viewer"))
    assert viewer.get(f"{API}/tickets").status_code == 200
    no_write = viewer.post(
        f"{API}/tickets",
        json={"customer_id": customer.id, "ticket_type": "inquiry", "subject": "x"},
    )
    assert no_write.status_code == 403


def test_least_loaded_and_bulk_reassignment(api, client_for, db, customer, agent, make_user):
    from crm_service.queues import agents

    busy = make_user("busy-bee", departments=["service"], role="agent")
    first = open_one(api, customer)
    api.put(f"{API}/tickets/{first['id']}/assignment", json={"assignee_id": busy.id})
    people = agents(db, first["department_id"])
    loads = {u.id: 0 for u in people}
    for row in api.get(f"{API}/tickets", query_string={"open": "true"}).json["items"]:
        if row["assignee_id"] in loads:
            loads[row["assignee_id"]] += 1
    second = open_one(api, customer)
    chosen = api.put(
        f"{API}/tickets/{second['id']}/assignment", json={"auto": True, "strategy": "least_loaded"}
    ).json["assignee_id"]
    assert chosen != busy.id and loads[chosen] == min(loads.values())

    third = open_one(api, customer)
    moved = api.post(
        f"{API}/tickets/reassignment",
        json={"ticket_ids": [first["id"], second["id"], third["id"]], "assignee_id": agent.id},
    )
    assert moved.status_code == 200
    assert {t["assignee_id"] for t in moved.json} == {agent.id}
    unknown = api.post(
        f"{API}/tickets/reassignment",
        json={"ticket_ids": [first["id"], 99999999], "assignee_id": None},
    )
    assert unknown.status_code == 422
    assert api.get(f"{API}/tickets/{first['id']}").json["assignee_id"] == agent.id
    empty = api.post(f"{API}/tickets/reassignment", json={"ticket_ids": [], "assignee_id": None})
    assert empty.status_code == 422
