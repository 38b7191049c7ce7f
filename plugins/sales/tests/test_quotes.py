"""Price lists and quotes: totals worked out by hand, the status flow, and the order an
accepted quote makes in the same transaction."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_sales import orders, pricing, quotes
from crm_sales.jobs import EXPIRE_QUOTES
from crm_sales.models import Order, Quote, QuoteStatus

from crm_host.runtime.facade import get_runtime
from crm_host.sdk import Conflict, ValidationFailed, company_today, enqueue


@pytest.fixture
def catalogue(db):
    """Three products; the standard list prices them below their own list price."""
    products = {
        code: orders.create_product(db, {"code": code, "name": f"产品{code}", "unit_price": "100"})
        for code in ("P1", "P2", "P3", "P4")
    }
    standard = pricing.create_price_list(db, {"code": "STD", "name": "标准价"})
    for code, price in (("P1", "80.00"), ("P2", "12.50"), ("P3", "19.99")):
        pricing.set_price(db, standard, products[code].id, price)
    db.commit()
    return products, standard


def _lines(products):
    return [
        {"product_id": products["P1"].id, "quantity": "3", "discount_percent": "10"},
        {"product_id": products["P2"].id, "quantity": "7"},
        {"product_id": products["P3"].id, "quantity": "2.5", "discount_percent": "15"},
    ]


def test_quote_totals_worked_out_by_hand(db, catalogue, make_customer):
    products, standard = catalogue
    quote = quotes.create_quote(db, {"customer_id": make_customer().id, "lines": _lines(products)})
    # P1: 3 × 80.00 = 240.00, 10 % off = 24.00 → 216.00
    # P2: 7 × 12.50 = 87.50, no discount → 87.50
    # P3: 2.5 × 19.99 = 49.975 → 49.98, 15 % = 7.497 → 7.50 → 42.48
    assert [line.amount for line in quote.lines] == [
        Decimal("216.00"),
        Decimal("87.50"),
        Decimal("42.48"),
    ]
    assert [line.unit_price for line in quote.lines] == [
        Decimal("80.00"),
        Decimal("12.50"),
        Decimal("19.99"),
    ]
    assert (quote.subtotal, quote.discount, quote.total) == (
        Decimal("377.48"),
        Decimal("31.50"),
        Decimal("345.98"),
    )
    assert quote.price_list_id == standard.id  # the default list, none being named
    assert quote.status is QuoteStatus.DRAFT
    assert quote.number == f"QT{quote.id:08d}"


def test_the_chosen_list_prices_the_lines_in_its_currency(db, catalogue, make_customer):
    products, _ = catalogue
    euro = pricing.create_price_list(db, {"code": "EU", "name": "欧元价", "currency": "EUR"})
    pricing.set_price(db, euro, products["P1"].id, "9.95")
    assert not euro.is_default  # the first list stays the default
    quote = quotes.create_quote(
        db,
        {
            "customer_id": make_customer().id,
            "price_list_id": euro.id,
            "lines": [{"product_id": products["P1"].id, "quantity": "4"}],
        },
    )
    assert (quote.currency, quote.total) == ("EUR", Decimal("39.80"))
    # The products are priced in CNY; the order follows the quote's list and currency.
    quotes.set_status(db, quote, "sent")
    order = quotes.set_status(db, quote, "accepted")
    assert (order.currency, order.amount) == ("EUR", Decimal("39.80"))


def test_bad_quotes_name_every_problem(db, catalogue, make_customer):
    products, _ = catalogue
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(
            db,
            {
                "customer_id": 999999,
                "valid_until": "2001-01-01",
                "lines": [
                    {"product_id": products["P4"].id},
                    {"product_id": 424242},
                    {"product_id": products["P1"].id, "discount_percent": "120"},
                ],
            },
        )
    assert refused.value.details == {
        "customer_id": ["No customer with id 999999."],
        "valid_until": [refused.value.details["valid_until"][0]],
        "lines.0.product_id": ["P4 has no price on price list STD."],
        "lines.1.product_id": ["No product with id 424242."],
        "lines.2.discount_percent": ["A number from 0 to 100."],
    }
    assert refused.value.details["valid_until"][0].startswith("Already past")


def test_a_list_outside_its_validity_is_refused(db, catalogue, make_customer):
    products, _ = catalogue
    old = pricing.create_price_list(
        db, {"code": "Y2020", "name": "2020", "valid_from": "2020-01-01", "valid_to": "2020-12-31"}
    )
    pricing.set_price(db, old, products["P1"].id, "1")
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(
            db,
            {
                "customer_id": make_customer().id,
                "price_list_id": old.id,
                "lines": [{"product_id": products["P1"].id}],
            },
            today=date(2026, 6, 1),
        )
    assert refused.value.details == {
        "price_list_id": [
            "Price list Y2020 is valid from 2020-01-01 to 2020-12-31, not on 2026-06-01."
        ]
    }


def test_accepting_a_sent_quote_records_its_order(db, catalogue, make_customer):
    products, _ = catalogue
    quote = quotes.create_quote(db, {"customer_id": make_customer().id, "lines": _lines(products)})
    with pytest.raises(Conflict):
        quotes.set_status(db, quote, "accepted")  # a draft is sent first
    assert quotes.set_status(db, quote, "sent") is None
    order = quotes.set_status(db, quote, "accepted")
    db.commit()
    assert quote.order_id == order.id and quote.status is QuoteStatus.ACCEPTED
    assert order.amount == Decimal("345.98") and order.customer_id == quote.customer_id
    assert [
        (line.product_id, line.quantity, line.discount_percent, line.amount) for line in order.lines
    ] == [
        (products["P1"].id, Decimal("3.000"), Decimal("10.00"), Decimal("216.00")),
        (products["P2"].id, Decimal("7.000"), Decimal("0.00"), Decimal("87.50")),
        (products["P3"].id, Decimal("2.500"), Decimal("15.00"), Decimal("42.48")),
    ]
    with pytest.raises(Conflict):
        quotes.set_status(db, quote, "accepted")  # once only
    with pytest.raises(ValidationFailed):
        quotes.set_status(db, quote, "won")


def test_a_quote_past_its_validity_can_only_expire(db, catalogue, make_customer):
    products, _ = catalogue
    today = date(2026, 12, 1)
    quote = quotes.create_quote(
        db,
        {
            "customer_id": make_customer().id,
            "valid_until": today + timedelta(days=30),
            "lines": _lines(products),
        },
        today=today,
    )
    quotes.set_status(db, quote, "sent", today=today)
    later = today + timedelta(days=31)
    with pytest.raises(Conflict) as refused:
        quotes.set_status(db, quote, "accepted", today=later)
    assert "valid until 2026-12-31" in refused.value.message
    assert quotes.expire_due(db, today=today + timedelta(days=30)) == 0  # the last valid day
    assert quotes.expire_due(db, today=later) == 1
    assert quote.status is QuoteStatus.EXPIRED and quote.order_id is None


def test_the_hourly_job_expires_quotes_past_their_last_day(
    app, db, catalogue, make_customer, run_jobs
):
    products, _ = catalogue
    yesterday = company_today() - timedelta(days=1)
    quote = quotes.create_quote(
        db,
        {
            "customer_id": make_customer().id,
            "valid_until": yesterday,
            "lines": _lines(products),
        },
        today=yesterday - timedelta(days=10),
    )
    quotes.set_status(db, quote, "sent", today=yesterday - timedelta(days=10))
    still_valid = quotes.create_quote(
        db,
        {
            "customer_id": make_customer().id,
            "valid_until": company_today(),
            "lines": _lines(products),
        },
    )
    quotes.set_status(db, still_valid, "sent")
    db.commit()
    assert EXPIRE_QUOTES in get_runtime(app).jobs.schedules
    enqueue(db, EXPIRE_QUOTES)
    db.commit()
    run_jobs(names=[EXPIRE_QUOTES])
    db.expire_all()
    assert db.get(Quote, quote.id).status is QuoteStatus.EXPIRED
    assert db.get(Quote, still_valid.id).status is QuoteStatus.SENT


def test_quotes_through_the_api(api, db, catalogue, make_customer):
    products, standard = catalogue
    customer = make_customer()
    made = api.post(
        "/api/v1/sales/quotes", json={"customer_id": customer.id, "lines": _lines(products)}
    )
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["status"], body["subtotal"], body["discount"], body["total"]) == (
        "draft",
        "377.48",
        "31.50",
        "345.98",
    )
    quote_id = body["id"]
    assert (
        api.post(f"/api/v1/sales/quotes/{quote_id}/status", json={"status": "accepted"}).status_code
        == 409
    )
    assert (
        api.post(f"/api/v1/sales/quotes/{quote_id}/status", json={"status": "sent"}).status_code
        == 200
    )
    accepted = api.post(f"/api/v1/sales/quotes/{quote_id}/status", json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.json["order_id"]
    order = api.get(f"/api/v1/sales/orders/{accepted.json['order_id']}").json
    assert order["amount"] == "345.98" and len(order["lines"]) == 3
    listed = api.get(f"/api/v1/sales/quotes?customer_id={customer.id}&status=accepted").json
    assert [q["id"] for q in listed["items"]] == [quote_id]
    refused = api.post(
        "/api/v1/sales/quotes",
        json={"customer_id": customer.id, "lines": [{"product_id": products["P4"].id}]},
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {"lines.0.product_id": ["P4 has no price on price list STD."]}
    lists = api.get("/api/v1/sales/price-lists").json
    assert [(pl["code"], pl["is_default"], len(pl["prices"])) for pl in lists] == [("STD", True, 3)]
    changed = api.post(
        f"/api/v1/sales/price-lists/{standard.id}/prices",
        json={"product_id": products["P4"].id, "unit_price": "5.00"},
    )
    assert changed.status_code == 200 and len(changed.json["prices"]) == 4


def test_an_order_that_cannot_be_made_leaves_the_quote_sent(
    api, db, catalogue, make_customer, monkeypatch
):
    products, _ = catalogue
    quote = quotes.create_quote(db, {"customer_id": make_customer().id, "lines": _lines(products)})
    quotes.set_status(db, quote, "sent")
    db.commit()

    def refuse(*args, **kwargs):
        raise Conflict("the order book is closed")

    monkeypatch.setattr(quotes.orders, "create_order", refuse)
    answer = api.post(f"/api/v1/sales/quotes/{quote.id}/status", json={"status": "accepted"})
    assert answer.status_code == 409
    db.expire_all()
    assert db.get(Quote, quote.id).status is QuoteStatus.SENT
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_quote_commands(cli, db, catalogue, make_customer):
    customer = make_customer()
    made = cli("sales", "quotes", "add", customer.code, "P1:3:10", "P2:7", "P3:2.5:15")
    assert made.exit_code == 0, made.output
    assert "subtotal 377.48, discount 31.50, total 345.98 CNY" in made.output
    quote_id = db.scalar(sa.select(Quote.id).where(Quote.customer_id == customer.id))
    assert cli("sales", "quotes", "status", str(quote_id), "sent").exit_code == 0
    accepted = cli("sales", "quotes", "status", str(quote_id), "accepted").output
    assert "accepted; order SO" in accepted
    listed = cli("sales", "quotes", "list", "--status", "accepted").output.splitlines()
    assert [line.split("\t")[2:6] for line in listed] == [
        ["accepted", str(customer.id), "345.98", "CNY"]
    ]
    refused = cli("sales", "quotes", "add", customer.code, "P4")
    assert refused.exit_code != 0
    assert "lines.0.product_id: P4 has no price on price list STD." in refused.output
    assert cli("sales", "price-lists", "price", "STD", "P4", "5").exit_code == 0
    assert cli("sales", "price-lists", "list").output.split("\t")[:5] == [
        "STD",
        "CNY",
        "-..-",
        "default",
        "4",
    ]


def test_quote_pages_make_send_and_accept_a_quote(client_for, db, seller, catalogue, make_customer):
    products, standard = catalogue
    customer = make_customer()
    browser = client_for(seller)
    form = browser.get("/sales/quotes/new")
    assert form.status_code == 200 and "产品P1" in form.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    fields = {
        "csrf_token": token.group(1) if token else "",
        "customer_code": customer.code,
        "price_list_id": str(standard.id),
        "product_0": str(products["P1"].id),
        "quantity_0": "3",
        "discount_0": "10",
        "product_1": str(products["P2"].id),
        "quantity_1": "7",
        "product_3": str(products["P3"].id),
        "quantity_3": "2.5",
        "discount_3": "15",
    }
    made = browser.post("/sales/quotes", data=fields)
    assert made.status_code == 302
    quote = db.scalar(sa.select(Quote).where(Quote.customer_id == customer.id))
    assert made.headers["Location"].endswith(f"/sales/quotes/{quote.id}")
    page = browser.get(f"/sales/quotes/{quote.id}").get_data(as_text=True)
    assert '<td class="subtotal">377.48</td>' in page
    assert '<td class="discount">31.50</td>' in page
    assert '<td class="total">345.98 CNY</td>' in page
    browser.post(f"/sales/quotes/{quote.id}/status", data={**fields, "status": "sent"})
    browser.post(f"/sales/quotes/{quote.id}/status", data={**fields, "status": "accepted"})
    db.expire_all()
    accepted = db.get(Quote, quote.id)
    assert accepted.status is QuoteStatus.ACCEPTED
    assert db.get(Order, accepted.order_id).amount == Decimal("345.98")
    listing = browser.get("/sales/quotes").get_data(as_text=True)
    assert quote.number in listing and "345.98 CNY" in listing


def test_a_refused_quote_form_keeps_what_was_typed(client_for, db, seller, catalogue):
    products, _ = catalogue
    browser = client_for(seller)
    answer = browser.post(
        "/sales/quotes",
        data={"customer_code": "NOBODY", "product_0": str(products["P1"].id), "quantity_0": "4"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "No customer &#39;NOBODY&#39;." in html or "No customer 'NOBODY'." in html
    assert 'value="NOBODY"' in html and 'name="quantity_0" inputmode="decimal"' in html
    assert db.scalar(sa.select(sa.func.count()).select_from(Quote)) == 0


def test_quote_pages_are_refused_without_the_permission(client_for, make_user):
    agent = make_user("svc-agent", departments=["service"], role="agent")
    assert client_for(agent).get("/sales/quotes").status_code == 403
    assert client_for(agent).get("/sales/quotes/new").status_code == 403
