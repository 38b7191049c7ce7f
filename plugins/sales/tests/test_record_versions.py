"""Leads, opportunities and quotes carry a version: ETag on reads, If-Match on writes."""

from __future__ import annotations

from crm_sales import orders, pricing

from crm_host.testing.versions import assert_if_match_protocol, read_etag

LEADS = "/api/v1/sales/leads"
OPPORTUNITIES = "/api/v1/sales/opportunities"


def test_lead_patch_and_status_honour_if_match(api, app):
    lead = api.post(LEADS, json={"name": "林先生", "company": "苏州钢铁"})
    assert lead.status_code == 201, lead.json
    url = f"{LEADS}/{lead.json['id']}"
    assert read_etag(api, url)[0] == f'"{lead.json["id"]}.1"'
    final = assert_if_match_protocol(
        api,
        app,
        url,
        write=("PATCH", url),
        bodies=[{"source": "web"}, {"source": "expo"}, {"source": "phone"}],
    )
    assert final == f'"{lead.json["id"]}.4"'
    assert api.get(url).json["source"] == "phone"
    assert_if_match_protocol(
        api,
        app,
        url,
        write=("POST", f"{url}/status"),
        bodies=[{"status": "contacted"}, {"status": "qualified"}],
    )
    assert api.get(url).json["status"] == "qualified"


def test_opportunity_writes_honour_if_match(api, app, make_customer):
    made = api.post(
        OPPORTUNITIES,
        json={"name": "轧机改造", "customer_id": make_customer().id, "amount": "4000"},
    )
    assert made.status_code == 201, made.json
    url = f"{OPPORTUNITIES}/{made.json['id']}"
    assert_if_match_protocol(
        api,
        app,
        url,
        write=("PATCH", url),
        bodies=[{"amount": "5000"}, {"amount": "6000"}, {"amount": "7000"}],
    )
    assert api.get(url).json["amount"] == "7000.00"
    assert_if_match_protocol(
        api,
        app,
        url,
        write=("POST", f"{url}/stage"),
        bodies=[{"stage": "qualification"}, {"stage": "proposal"}, {"stage": "negotiation"}],
    )
    assert api.get(url).json["stage"] == "negotiation"


def test_quote_status_honours_if_match(api, app, db, make_customer):
    product = orders.create_product(db, {"code": "VP1", "name": "产品", "unit_price": "100"})
    standard = pricing.create_price_list(db, {"code": "VSTD", "name": "标准价"})
    pricing.set_price(db, standard, product.id, "80.00")
    db.commit()
    made = api.post(
        "/api/v1/sales/quotes",
        json={"customer_id": make_customer().id, "lines": [{"product_id": product.id}]},
    )
    assert made.status_code == 201, made.json
    url = f"/api/v1/sales/quotes/{made.json['id']}"
    assert_if_match_protocol(
        api,
        app,
        url,
        write=("POST", f"{url}/status"),
        bodies=[{"status": "sent"}, {"status": "accepted"}],
    )
    assert api.get(url).json["status"] == "accepted"


def test_the_lead_status_form_refuses_a_stale_version_and_says_so(client_for, seller, db):
    from crm_sales import leads
    from crm_sales.models import Lead

    lead = leads.create_lead(db, {"name": "周女士"}, actor=seller)
    db.commit()
    console = client_for(seller)
    assert f'name="version" value="{lead.version}"' in console.get("/sales/leads").get_data(
        as_text=True
    )
    leads.update_lead(db, lead, {"source": "expo"})
    db.commit()
    page = console.post(
        f"/sales/leads/{lead.id}/status",
        data={"status": "contacted", "version": "1"},
        follow_redirects=True,
    )
    assert "Someone else changed this record" in page.get_data(as_text=True)
    assert db.get(Lead, lead.id).status.value == "new"
    console.post(f"/sales/leads/{lead.id}/status", data={"status": "contacted", "version": "2"})
    db.expire_all()
    assert db.get(Lead, lead.id).status.value == "contacted"
