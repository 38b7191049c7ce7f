"""The sales plugin as a participant in the host's merge, erasure and export."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from crm_sales import activities, leads, orders, pricing, quotes
from crm_sales.models import Activity, Lead, Opportunity, Order, Quote
from crm_sales.privacy import ERASED

from crm_host.sdk import AuditLog
from crm_host.sdk.customers import erase_customer, export_customer, merge_customers

DUE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def converted_customer(db, make_customer):
    customer = make_customer(name="王芳", email="wang@example.cn")
    lead = leads.create_lead(
        db, {"name": "王芳", "email": "wang@example.cn", "phone": "13800138000"}
    )
    leads.set_status(db, lead, "qualified")
    _customer, deal = leads.convert(db, lead, {"customer_id": customer.id, "amount": "800"})
    order = orders.create_order(
        db,
        {
            "customer_id": customer.id,
            "opportunity_id": deal.id,
            "lines": [{"description": "服务包", "unit_price": "800.00"}],
        },
    )
    activities.create_activity(
        db, {"kind": "call", "subject": "回访王芳", "due_at": DUE, "customer_id": customer.id}
    )
    product = orders.create_product(db, {"code": "SVC", "name": "服务包", "unit_price": "900"})
    price_list = pricing.create_price_list(db, {"code": "STD", "name": "标准价"})
    pricing.set_price(db, price_list, product.id, "850.00")
    quotes.create_quote(
        db, {"customer_id": customer.id, "lines": [{"product_id": product.id, "quantity": 2}]}
    )
    db.commit()
    return customer, lead, deal, order


@pytest.mark.hookspec("crm_customers_merging")
def test_a_merge_moves_leads_opportunities_and_orders_to_the_survivor(db, make_customer):
    merged, lead, deal, order = converted_customer(db, make_customer)
    survivor = make_customer(name="王芳（新）")
    merge_customers(db, survivor, merged)
    db.commit()
    assert db.get(Lead, lead.id).customer_id == survivor.id
    assert db.get(Opportunity, deal.id).customer_id == survivor.id
    assert db.get(Order, order.id).customer_id == survivor.id
    assert db.scalar(sa.select(Activity.customer_id)) == survivor.id
    assert db.scalar(sa.select(Quote.customer_id)) == survivor.id


@pytest.mark.hookspec("crm_customer_erasing")
def test_an_erasure_pseudonymises_the_lead_and_keeps_the_money(db, make_customer):
    customer, lead, deal, order = converted_customer(db, make_customer)
    for _ in range(2):  # erasure may run twice
        erase_customer(db, customer)
        db.commit()
    row = db.get(Lead, lead.id)
    assert (row.name, row.email, row.phone, row.company) == (ERASED, None, None, None)
    assert db.get(Opportunity, deal.id).name == ERASED
    assert db.scalar(sa.select(Activity.subject)) == ERASED
    # The lead's own phone number is gone from the audit log as well.
    logged = db.scalars(sa.select(AuditLog.after).where(AuditLog.object_type == "sales_lead"))
    assert all("13800138000" not in str(after) for after in logged)
    assert str(db.get(Order, order.id).amount) == "800.00"
    assert str(db.get(Opportunity, deal.id).amount) == "800.00"


@pytest.mark.hookspec("crm_customer_export")
def test_the_export_lists_what_sales_holds(app, db, make_customer):
    customer, lead, deal, order = converted_customer(db, make_customer)
    with app.app_context():
        exported = export_customer(db, customer.id)["plugins"]["sales"]
    assert [r["id"] for r in exported["leads"]] == [lead.id]
    assert [r["id"] for r in exported["opportunities"]] == [deal.id]
    assert [(r["number"], r["amount"]) for r in exported["orders"]] == [(order.number, "800.00")]
    assert [r["description"] for r in exported["order_lines"]] == ["服务包"]
    assert [r["subject"] for r in exported["activities"]] == ["回访王芳"]
    assert [r["total"] for r in exported["quotes"]] == ["1700.00"]
    assert [(r["description"], r["amount"]) for r in exported["quote_lines"]] == [
        ("服务包", "1700.00")
    ]
    other = make_customer()
    with app.app_context():
        assert "sales" not in export_customer(db, other.id)["plugins"]


def test_nothing_is_left_pointing_at_a_merged_customer(db, make_customer):
    from crm_host.domain.customers.merge import remaining_references

    merged, *_ = converted_customer(db, make_customer)
    survivor = make_customer()
    merged_id = merged.id
    merge_customers(db, survivor, merged)
    assert {
        k: v for k, v in remaining_references(db, merged_id).items() if k.startswith("sales_")
    } == {}
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Order).where(Order.customer_id == merged_id)
        )
        == 0
    )
