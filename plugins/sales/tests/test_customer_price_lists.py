"""A customer's own price list: chosen for their quotes, kept through merges, managed
through the API, the shell and the 360° view."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_sales import customer_prices, orders, pricing, quotes
from crm_sales.models import CustomerPriceList

from crm_host.domain.customers import merge
from crm_host.sdk import AuditLog

TODAY = date(2026, 12, 1)


@pytest.fixture
def lists(db):
    """P1 at 100 on the default list, 80 on the distributors' list (valid in December)."""
    product = orders.create_product(db, {"code": "P1", "name": "电表", "unit_price": "100"})
    standard = pricing.create_price_list(db, {"code": "STD", "name": "标准价"})
    pricing.set_price(db, standard, product.id, "100")
    dealers = pricing.create_price_list(
        db,
        {"code": "DLR", "name": "经销商价", "valid_from": "2026-12-01", "valid_to": "2026-12-31"},
    )
    pricing.set_price(db, dealers, product.id, "80")
    db.commit()
    return product, standard, dealers


def _quote(db, customer, product, day=TODAY, **extra):
    return quotes.create_quote(
        db,
        {
            "customer_id": customer.id,
            "lines": [{"product_id": product.id, "quantity": "3"}],
            **extra,
        },
        today=day,
    )


def test_a_quote_uses_the_customer_s_list_while_it_is_valid(db, lists, make_customer):
    product, standard, dealers = lists
    dealer, walk_in = make_customer(), make_customer()
    customer_prices.assign(db, dealer, dealers.id)

    assert _quote(db, dealer, product).total == Decimal("240.00")  # 3 × 80
    assert _quote(db, walk_in, product).total == Decimal("300.00")  # 3 × 100, the default
    # Named explicitly, another list wins over the customer's own.
    named = _quote(db, dealer, product, price_list_id=standard.id)
    assert named.price_list_id == standard.id
    # Out of its validity, the customer's list gives way to the default.
    january = _quote(db, dealer, product, day=date(2027, 1, 2), valid_until=date(2027, 1, 31))
    assert (january.price_list_id, january.total) == (standard.id, Decimal("300.00"))

    audit = db.scalar(sa.select(AuditLog).where(AuditLog.action == "price_list"))
    assert (audit.object_id, audit.after) == (str(dealer.id), {"price_list": "DLR"})


def test_a_merge_keeps_the_survivor_s_list_or_takes_the_merged_one(db, lists, make_customer):
    _, standard, dealers = lists
    survivor, merged, bare = make_customer(), make_customer(), make_customer()
    customer_prices.assign(db, survivor, standard.id)
    customer_prices.assign(db, merged, dealers.id)
    merge.merge_customers(db, survivor, merged)
    assert customer_prices.list_of(db, survivor.id).code == "STD"
    assert db.get(CustomerPriceList, merged.id) is None

    other = make_customer()
    customer_prices.assign(db, other, dealers.id)
    merge.merge_customers(db, bare, other)
    assert customer_prices.list_of(db, bare.id).code == "DLR"


def test_the_customer_s_list_through_the_api(api, db, lists, make_customer, client_for, make_user):
    _, _, dealers = lists
    customer = make_customer()
    url = f"/api/v1/sales/customers/{customer.id}/price-list"
    assert api.get(url).json == {"customer_id": customer.id, "price_list": None}
    given = api.put(url, json={"price_list_id": dealers.id})
    assert given.status_code == 200 and given.json["price_list"]["code"] == "DLR"
    assert api.get(url).json["price_list"]["valid_to"] == "2026-12-31"

    unknown = api.put(url, json={"price_list_id": 999999})
    assert unknown.status_code == 422 and "price_list_id" in unknown.json["errors"]
    assert api.put(url, json={"price_list_id": "DLR"}).status_code == 422
    assert api.put(url, json={}).status_code == 422
    assert (
        api.put(
            "/api/v1/sales/customers/999999/price-list", json={"price_list_id": None}
        ).status_code
        == 404
    )
    assert api.put(url, json={"price_list_id": None}).json["price_list"] is None

    reader = client_for(make_user("price-reader", departments=["sales"], role="viewer"))
    assert reader.put(url, json={"price_list_id": dealers.id}).status_code == 403


def test_the_customer_s_list_from_the_shell_and_the_360_view(
    cli, db, lists, make_customer, client_for, make_user
):
    _, _, dealers = lists
    customer = make_customer()
    result = cli("sales", "price-lists", "assign", customer.code, "DLR")
    assert result.exit_code == 0 and "priced from DLR" in result.output
    assert customer_prices.list_of(db, customer.id).code == "DLR"
    assert cli("sales", "price-lists", "assign", customer.code, "NOPE").exit_code != 0
    assert cli("sales", "price-lists", "assign", customer.code).exit_code != 0

    manager = client_for(make_user("price-manager", departments=["sales"], admin=True))
    page = manager.get(f"/customers/{customer.id}", headers={"Accept-Language": "zh-CN"}).text
    assert "经销商价" in page and "价目表" in page
    cleared = manager.post(f"/sales/customers/{customer.id}/price-list", data={"price_list_id": ""})
    assert cleared.status_code == 302
    assert customer_prices.list_of(db, customer.id) is None
    bad = manager.post(f"/sales/customers/{customer.id}/price-list", data={"price_list_id": "x1"})
    assert bad.status_code == 302 and customer_prices.list_of(db, customer.id) is None
