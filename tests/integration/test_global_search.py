"""Global search: every registered type the user may read, gated before anything is counted."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa


@pytest.fixture
def planted(db, make_customer):
    """One customer 张三丰, a ticket, a power account and a lead that all say 停电检修."""
    from crm_industry_power.models import Account
    from crm_sales.models import Lead
    from crm_service.tickets import open_ticket

    customer = make_customer(name="张三丰")
    ticket = open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="停电检修投诉")
    account = Account(
        number="PA-停电检修-01",
        customer_id=customer.id,
        service_point="停电检修站",
        category="resident",
        voltage_level="0.4kV",
        contracted_kva=Decimal("8.0"),
    )
    lead = Lead(name="停电检修 设备商", company="华东电气")
    db.add_all([account, lead])
    db.commit()
    return {"customer": customer, "ticket": ticket, "account": account, "lead": lead}


def _by_type(response):
    assert response.status_code == 200, response.json
    return {group["type"]: group for group in response.json["results"]}


def test_a_sales_user_finds_no_ticket_and_no_account_not_even_a_count(
    planted, make_user, client_for
):
    seller = client_for(make_user("sal", departments=["sales"], role="manager"))
    found = _by_type(seller.get("/api/v1/search?q=停电检修"))
    # The lead is theirs to see; the ticket (service) and the account (industry_power)
    # belong to plugins their department lacks: no group, no total, nothing in the sum.
    assert set(found) == {"sales.lead"}
    assert found["sales.lead"]["total"] == 1
    assert seller.get("/api/v1/search?q=停电检修").json["total"] == 1
    asked = seller.get("/api/v1/search?q=停电检修&type=service.ticket&type=power.account")
    assert asked.json == {"q": "停电检修", "total": 0, "results": []}


def test_a_service_user_finds_a_ticket_by_its_subject_with_its_links(
    planted, make_user, client_for
):
    agent = client_for(make_user("svc", departments=["service"], role="manager"))
    found = _by_type(agent.get("/api/v1/search?q=检修投诉"))
    ticket = planted["ticket"]
    assert set(found) == {"service.ticket"}
    assert found["service.ticket"] == {
        "type": "service.ticket",
        "type_label": "Ticket",
        "total": 1,
        "hits": [
            {
                "type": "service.ticket",
                "id": str(ticket.id),
                "label": "停电检修投诉",
                "console_url": f"/service/tickets/{ticket.id}",
                "api_url": f"/api/v1/service/tickets/{ticket.id}",
            }
        ],
    }
    # Two Chinese characters are too short for a trigram; the search still finds it.
    two = _by_type(agent.get("/api/v1/search?q=投诉"))
    assert [h["id"] for h in two["service.ticket"]["hits"]] == [str(ticket.id)]
    # The links lead somewhere real for this user.
    assert agent.get(f"/service/tickets/{ticket.id}").status_code == 200
    assert agent.get(f"/api/v1/service/tickets/{ticket.id}").status_code == 200


def test_the_ticket_record_rule_filters_before_counting(db, planted, make_user, client_for):
    """An agent with scope ``own`` on tickets counts only the tickets assigned to them."""
    from crm_service.tickets import open_ticket

    from crm_host.core.models import Role, RolePermission

    own = make_user("own", departments=["service"], role="agent")
    # Agents read everything (``all``); narrow their reading to what is assigned to them.
    agent_role = sa.select(Role.id).where(Role.name == "agent").scalar_subquery()
    db.execute(
        sa.update(RolePermission)
        .where(RolePermission.role_id == agent_role, RolePermission.permission == "*.read")
        .values(scope="own")
    )
    mine = open_ticket(
        db, customer_id=planted["customer"].id, ticket_type="inquiry", subject="检修投诉 二"
    )
    mine.assignee_id = own.id
    db.commit()
    found = _by_type(client_for(own).get("/api/v1/search?q=检修投诉"))
    assert found["service.ticket"]["total"] == 1
    assert [h["id"] for h in found["service.ticket"]["hits"]] == [str(mine.id)]


def test_two_chinese_characters_find_a_longer_name(planted, make_user, client_for):
    seller = client_for(make_user("zh", departments=["sales"], role="viewer"))
    found = _by_type(seller.get("/api/v1/search?q=张三"))
    customer = planted["customer"]
    assert found["customer"]["total"] == 1
    assert found["customer"]["hits"][0] == {
        "type": "customer",
        "id": str(customer.id),
        "label": "张三丰",
        "console_url": f"/customers/{customer.id}",
        "api_url": f"/api/v1/customers/{customer.id}",
    }


def test_hits_are_capped_per_type_and_the_total_says_how_many(
    db, make_customer, make_user, client_for
):
    for n in range(7):
        make_customer(name=f"李四{n}")
    seller = client_for(make_user("cap", departments=["sales"], role="viewer"))
    found = _by_type(seller.get("/api/v1/search?q=李四&per_type=3"))
    group = found["customer"]
    assert group["total"] == 7
    assert [h["label"] for h in group["hits"]] == ["李四0", "李四1", "李四2"]


def test_a_phone_number_finds_a_customer_only_for_who_may_reveal_it(
    make_customer, make_user, client_for
):
    customer = make_customer(name="王五", phone="13912345678")
    viewer = client_for(make_user("vw", departments=["sales"], role="viewer"))
    manager = client_for(make_user("mg", departments=["sales"], role="manager"))
    assert viewer.get("/api/v1/search?q=13912345678").json["results"] == []
    found = _by_type(manager.get("/api/v1/search?q=13912345678"))
    assert [h["id"] for h in found["customer"]["hits"]] == [str(customer.id)]


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 422), ("q=", 422), ("q=%20%20", 422), ("q=" + "x" * 201, 422), ("q=a&per_type=99", 422)],
)
def test_bad_queries_are_refused_naming_the_parameter(make_user, client_for, query, status):
    client = client_for(make_user("bad", departments=["sales"]))
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == status
    named = response.json["errors"]
    flat = named.get("query", named)
    assert ("per_type" if "per_type" in query else "q") in flat


def test_the_console_page_groups_results_and_refuses_an_empty_query(planted, make_user, client_for):
    agent = client_for(make_user("con", departments=["service"], role="manager"))
    page = agent.get("/search?q=停电检修")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/service/tickets/{planted["ticket"].id}"' in html
    assert 'data-type="service.ticket"' in html and 'data-type="power.account"' not in html
    empty = agent.get("/search?q=")
    assert empty.status_code == 400 and 'data-field="q"' in empty.get_data(as_text=True)
