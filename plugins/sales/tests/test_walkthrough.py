"""A lead walks from capture to a customer with a won opportunity and an order, over the API,
and the order's amount reaches the host's union of transaction sources."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_sales.models import Lead, Opportunity, StageChange

from crm_host.sdk import Contact, Customer, Interaction
from crm_host.sdk.customers import transactions


@pytest.mark.hookspec("crm_transaction_sources")
@pytest.mark.hookspec("crm_register_blueprints")
def test_lead_to_won_opportunity_to_order_reaches_the_transactions(api, db, seller):
    created = api.post(
        "/api/v1/sales/leads",
        json={
            "name": "李雷",
            "company": "苏州恒力钢铁有限公司",
            "email": "li.lei@hengli.cn",
            "phone": "+8613812345678",
            "source": "web",
            "campaign": "2026-expo",
            "department": "sales",
        },
    )
    assert created.status_code == 201, created.json
    lead = created.json
    assert lead["status"] == "new"
    # Nobody named an owner: the only sales user of the department gets it.
    assert lead["owner_id"] == seller.id

    for status in ("contacted", "qualified"):
        moved = api.post(f"/api/v1/sales/leads/{lead['id']}/status", json={"status": status})
        assert moved.status_code == 200 and moved.json["status"] == status

    converted = api.post(
        f"/api/v1/sales/leads/{lead['id']}/convert",
        json={"customer_code": "HL0001", "amount": "120000.00", "expected_close": "2026-12-31"},
    )
    assert converted.status_code == 201, converted.json
    customer = converted.json["customer"]
    opportunity = converted.json["opportunity"]
    assert customer["code"] == "HL0001" and customer["name"] == "苏州恒力钢铁有限公司"
    assert converted.json["lead"]["status"] == "converted"
    assert opportunity["stage"] == "prospecting" and opportunity["amount"] == "120000.00"
    assert opportunity["lead_id"] == lead["id"] and opportunity["customer_id"] == customer["id"]
    # The person who was the lead is the organisation's primary contact.
    contact = db.scalar(sa.select(Contact).where(Contact.customer_id == customer["id"]))
    assert (contact.name, contact.email, contact.is_primary) == ("李雷", "li.lei@hengli.cn", True)

    for stage in ("qualification", "proposal"):
        moved = api.post(
            f"/api/v1/sales/opportunities/{opportunity['id']}/stage", json={"stage": stage}
        )
        assert moved.status_code == 200 and moved.json["stage"] == stage
    won = api.post(f"/api/v1/sales/opportunities/{opportunity['id']}/won")
    assert won.status_code == 200
    assert (won.json["status"], won.json["stage"]) == ("won", "won")
    history = api.get(f"/api/v1/sales/opportunities/{opportunity['id']}/history").json
    assert len(history) == 4  # created in prospecting, then three moves

    ordered = api.post(
        "/api/v1/sales/orders",
        json={
            "customer_id": customer["id"],
            "opportunity_id": opportunity["id"],
            "ordered_at": "2026-12-30T10:00:00+08:00",
            "lines": [
                {"description": "热轧卷板 Q235", "quantity": "40", "unit_price": "2950.00"},
                {"description": "运费", "unit_price": "2000.00"},
            ],
        },
    )
    assert ordered.status_code == 201, ordered.json
    # 40 × 2950.00 + 1 × 2000.00 = 120000.00
    assert ordered.json["amount"] == "120000.00"
    assert ordered.json["number"] == f"SO{ordered.json['id']:08d}"

    t = transactions(db)
    rows = db.execute(
        sa.select(t.c.amount, t.c.currency, t.c.source, t.c.ref).where(
            t.c.customer_id == customer["id"]
        )
    ).all()
    assert rows == [(Decimal("120000.00"), "CNY", "sales.order", ordered.json["number"])]
    subjects = set(
        db.scalars(sa.select(Interaction.subject).where(Interaction.customer_id == customer["id"]))
    )
    assert f"Order {ordered.json['number']}: 120000.00 CNY" in subjects


def test_a_failed_conversion_leaves_nothing_behind(api, db, seller):
    lead = api.post("/api/v1/sales/leads", json={"name": "韩梅梅", "department": "sales"}).json
    api.post(f"/api/v1/sales/leads/{lead['id']}/status", json={"status": "qualified"})
    # The customer is created before the stage is looked up; the bad stage undoes it.
    failed = api.post(
        f"/api/v1/sales/leads/{lead['id']}/convert",
        json={"customer_code": "HMM01", "stage": "nowhere"},
    )
    assert failed.status_code == 422
    assert failed.json["errors"] == {"stage": ["No stage 'nowhere'."]}
    assert db.scalar(sa.select(Customer.id).where(Customer.code == "HMM01")) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(Opportunity)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(StageChange)) == 0
    assert db.get(Lead, lead["id"]).status.value == "qualified"
