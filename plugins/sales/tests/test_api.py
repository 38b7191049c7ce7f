"""The sales API's answers to bad input, missing permissions and record rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_sales import hookspecs, leads
from crm_sales.models import Lead

from crm_host.testing.contract import undocumented_hookspecs


def test_bad_input_gets_a_4xx_naming_the_field(api, make_customer):
    missing = api.post("/api/v1/sales/leads", json={"company": "无名"})
    assert missing.status_code == 422 and "name" in missing.json["errors"]["json"]
    bad_email = api.post("/api/v1/sales/leads", json={"name": "x", "email": "nobody"})
    assert bad_email.status_code == 422
    assert bad_email.json["errors"] == {"email": ["Not an email address."]}
    unknown = api.post("/api/v1/sales/leads", json={"name": "x", "department": "nowhere"})
    assert unknown.json["errors"] == {"department": ["No department 'nowhere'."]}
    assert api.get("/api/v1/sales/leads/999999").status_code == 404
    negative = api.post(
        "/api/v1/sales/opportunities",
        json={"name": "x", "customer_id": make_customer().id, "amount": -1},
    )
    assert negative.status_code == 422
    no_customer = api.post("/api/v1/sales/opportunities", json={"name": "x", "customer_id": 424242})
    assert no_customer.status_code == 422
    assert no_customer.json["errors"] == {"customer_id": ["No customer with id 424242."]}
    no_lines = api.post(
        "/api/v1/sales/orders", json={"customer_id": make_customer().id, "lines": []}
    )
    assert no_lines.status_code == 422


def test_an_order_line_priced_in_another_currency_is_refused(api, make_customer):
    product = api.post(
        "/api/v1/sales/products",
        json={"code": "P1", "name": "热轧卷板", "unit_price": "199.90", "currency": "USD"},
    ).json
    refused = api.post(
        "/api/v1/sales/orders",
        json={"customer_id": make_customer().id, "lines": [{"product_id": product["id"]}]},
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {"lines.0.product_id": ["Priced in USD, the order is in CNY."]}
    ordered = api.post(
        "/api/v1/sales/orders",
        json={
            "customer_id": make_customer().id,
            "currency": "USD",
            "lines": [
                {"product_id": product["id"], "quantity": 3},
                {"description": "包装", "unit_price": "0.30"},
            ],
        },
    )
    # 3 × 199.90 + 0.30 = 600.00; the product's name is the line's description.
    assert ordered.status_code == 201
    assert ordered.json["amount"] == "600.00"
    assert [line["description"] for line in ordered.json["lines"]] == ["热轧卷板", "包装"]
    taken = api.post("/api/v1/sales/products", json={"code": "P1", "name": "x", "unit_price": 1})
    assert taken.status_code == 409


def test_a_viewer_reads_but_does_not_write(client_for, make_user):
    viewer = client_for(make_user("vera", departments=["sales"], role="viewer"))
    assert viewer.get("/api/v1/sales/leads").status_code == 200
    refused = viewer.post("/api/v1/sales/leads", json={"name": "x"})
    assert refused.status_code == 403
    assert refused.json["errors"] == {"permission": ["sales.leads.write"]}


def test_other_departments_are_kept_out_naming_the_plugin(client_for, make_user):
    agent = client_for(make_user("sam", departments=["service"], role="agent"))
    refused = agent.get("/api/v1/sales/leads")
    assert refused.status_code == 403 and refused.json["plugin"] == "sales"


def test_an_agent_writes_the_leads_of_their_department_only(client_for, db, make_user):
    agent = make_user("ann", departments=["sales"], role="agent")
    theirs = leads.create_lead(db, {"name": "本部门", "department": "sales"})
    elsewhere = leads.create_lead(db, {"name": "别的部门", "department": "marketing"})
    db.commit()
    client = client_for(agent)
    assert (
        client.patch(f"/api/v1/sales/leads/{theirs.id}", json={"source": "web"}).status_code == 200
    )
    refused = client.patch(f"/api/v1/sales/leads/{elsewhere.id}", json={"source": "web"})
    assert refused.status_code == 403
    assert db.scalar(sa.select(Lead.source).where(Lead.id == elsewhere.id)) is None
    # Lists are limited by the read rule (agents read everything).
    names = {row["name"] for row in client.get("/api/v1/sales/leads").json["items"]}
    assert names == {"本部门", "别的部门"}


def test_lists_page_newest_first_with_a_cursor(api, db):
    for i in range(3):
        leads.create_lead(db, {"name": f"L{i}", "source": "web" if i else "expo"})
    db.commit()
    first = api.get("/api/v1/sales/leads?limit=2").json
    assert [row["name"] for row in first["items"]] == ["L2", "L1"]
    rest = api.get(f"/api/v1/sales/leads?limit=2&cursor={first['next_cursor']}").json
    assert [row["name"] for row in rest["items"]] == ["L0"] and rest["next_cursor"] is None
    assert [r["name"] for r in api.get("/api/v1/sales/leads?source=expo").json["items"]] == ["L0"]


def test_stages_pipeline_and_forecast_routes(api, make_customer):
    stages = api.get("/api/v1/sales/stages").json
    assert [s["code"] for s in stages][:2] == ["prospecting", "qualification"]
    api.post(
        "/api/v1/sales/opportunities",
        json={
            "name": "x",
            "customer_id": make_customer().id,
            "amount": "4000",
            "stage": "proposal",
            "expected_close": "2027-02-01",
        },
    )
    board = {row["code"]: row for row in api.get("/api/v1/sales/pipeline").json}
    assert board["proposal"]["weighted"] == {"CNY": "2000.00"}
    assert api.get("/api/v1/sales/forecast").json == [
        {
            "month": "2027-02",
            "currency": "CNY",
            "count": 1,
            "amount": "4000.00",
            "weighted": "2000.00",
        }
    ]


@pytest.mark.hookspec("crm_addhooks")
def test_the_plugins_own_hookspecs_are_documented_and_published(app):
    assert undocumented_hookspecs(hookspecs) == {}
    hook = app.extensions["crm"].plugins.hook
    assert hook.crm_sales_opportunity_won.spec is not None
    assert hook.crm_sales_lead_converted.spec is not None


def test_administrators_configure_stages_and_scoring_rules(client_for, db, make_user, api):
    admin = client_for(make_user("root", departments=["sales"], admin=True))
    added = admin.post(
        "/api/v1/sales/stages",
        json={"code": "demo", "name": "Demo", "position": 25, "probability": 40},
    )
    assert added.status_code == 201, added.json
    codes = [s["code"] for s in admin.get("/api/v1/sales/stages").json]
    assert codes.index("demo") == codes.index("qualification") + 1
    changed = admin.patch(f"/api/v1/sales/stages/{added.json['id']}", json={"probability": 45})
    assert changed.json["probability"] == 45
    won = next(s for s in admin.get("/api/v1/sales/stages").json if s["code"] == "won")
    refused = admin.patch(f"/api/v1/sales/stages/{won['id']}", json={"probability": 90})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"probability": ["A winning stage has probability 100."]}
    assert admin.post("/api/v1/sales/stages", json={"code": "demo", "name": "x"}).status_code == 409
    # Managers hold every sales permission but the administrative ``manage``.
    assert api.post("/api/v1/sales/stages", json={"code": "x1", "name": "x"}).status_code == 403

    lead = api.post("/api/v1/sales/leads", json={"name": "x", "source": "Expo"}).json
    assert lead["score"] == 0
    rule = admin.post(
        "/api/v1/sales/scoring-rules",
        json={"field": "source", "operator": "equals", "value": "expo", "points": 40},
    )
    assert rule.status_code == 201
    # The lead being worked is rescored at once.
    assert api.get(f"/api/v1/sales/leads/{lead['id']}").json["score"] == 40
    assert [r["points"] for r in api.get("/api/v1/sales/scoring-rules").json] == [40]
