"""The console: segment builder with its live count, campaign wizard, RFM grid, menu,
KPIs, the 360° panel and the Chinese strings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crm_marketing import campaigns, rfm, segments
from crm_marketing.models import Campaign, Segment
from crm_marketing.plugin import crm_customer_panels, crm_dashboard_kpis, crm_menu_items

from crm_host.sdk import utcnow

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def console(client_for, marketer):
    return client_for(marketer)


def test_the_builder_counts_live_and_saves(console, db, make_customer):
    for city in ("苏州", "苏州", "南京"):
        make_customer(city=city)
    page = console.get("/marketing/segments/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'hx-get="/marketing/segments/count"' in html and 'id="live-count"' in html
    query = {"match": "all", "field-0": "city", "op-0": "in", "value-0": "苏州，上海"}
    fragment = console.get("/marketing/segments/count", query_string=query).get_data(as_text=True)
    assert 'data-count="2"' in fragment
    wrong = console.get(
        "/marketing/segments/count", query_string={"field-0": "city", "op-0": "gte", "value-0": "1"}
    ).get_data(as_text=True)
    assert "rules.all[0].op" in wrong
    saved = console.post("/marketing/segments/new", data={"name": "苏州", **query})
    assert saved.status_code == 302
    segment = db.query(Segment).filter_by(name="苏州").one()
    assert segment.rules == {"all": [{"field": "city", "op": "in", "value": ["苏州", "上海"]}]}
    shown = console.get(f"/marketing/segments/{segment.id}").get_data(as_text=True)
    assert 'value="苏州, 上海"' in shown
    listing = console.get("/marketing/", headers=ZH).get_data(as_text=True)
    assert "客户分群" in listing and "苏州" in listing


def test_a_nested_tree_is_edited_as_json_and_errors_keep_the_form(console, db):
    tree = '{"any": [{"field": "city", "op": "eq", "value": "苏州"}, {"not": {"field": "tier", "op": "is_set"}}]}'
    saved = console.post("/marketing/segments/new", data={"name": "嵌套", "rules_json": tree})
    assert saved.status_code == 302
    segment = db.query(Segment).filter_by(name="嵌套").one()
    assert "not" in console.get(f"/marketing/segments/{segment.id}").get_data(as_text=True)
    bad = console.post("/marketing/segments/new", data={"name": "坏", "rules_json": "{oops"})
    assert bad.status_code == 422 and "rules_json" in bad.get_data(as_text=True)


def test_the_campaign_wizard_drafts_and_the_list_launches(console, db, make_customer, run_jobs):
    make_customer(city="苏州", email="x@example.com", consent=["email"])
    make_customer(city="苏州", email="y@example.com")
    segment = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    db.commit()
    wizard = console.get("/marketing/campaigns/new", headers=ZH).get_data(as_text=True)
    assert "新建营销活动" in wizard and "1. 受众" in wizard
    audience = console.get(
        "/marketing/campaigns/audience", query_string={"segment_id": segment.id, "channel": "email"}
    ).get_data(as_text=True)
    assert 'data-audience="1"' in audience
    form = {
        "name": "周年庆",
        "channel": "email",
        "segment_id": str(segment.id),
        "subject": "周年庆",
        "body": "{{ name }}您好",
        "scheduled_at": "",
    }
    assert console.post("/marketing/campaigns/new", data=form).status_code == 302
    campaign = db.query(Campaign).filter_by(name="周年庆").one()
    missing = console.post("/marketing/campaigns/new", data={**form, "subject": ""})
    assert missing.status_code == 422
    console.post(f"/marketing/campaigns/{campaign.id}/launch")
    run_jobs(names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    assert campaign.status == "sent"
    listing = console.get("/marketing/campaigns", headers=ZH).get_data(as_text=True)
    assert "周年庆" in listing and "已发送" in listing


def test_the_rfm_grid_and_its_chart(console, db, make_customer, buy):
    buy(make_customer(), "50.00", utcnow() - timedelta(days=2))
    rfm.refresh(db)
    db.commit()
    html = console.get("/marketing/rfm", headers=ZH).get_data(as_text=True)
    assert 'data-cell="11">1<' in html and "/marketing/rfm/monetary.json" in html
    chart = console.get("/marketing/rfm/monetary.json").json
    assert chart["labels"] == ["1", "2", "3", "4", "5"] and chart["series"][0]["values"][0] == 1


@pytest.mark.hookspec("crm_menu_items")
@pytest.mark.hookspec("crm_dashboard_kpis")
@pytest.mark.hookspec("crm_customer_panels")
def test_menu_kpis_and_the_customer_panel(app, db, marketer, make_customer, buy):
    customer = make_customer()
    buy(customer, "70.00", utcnow())
    rfm.refresh(db)
    db.commit()
    with app.test_request_context():
        assert [i.endpoint for i in crm_menu_items(user=marketer, departments=[])] == [
            "marketing_console.segments",
            "marketing_console.campaigns",
            "marketing_console.rfm_grid",
            "marketing_console.journeys_page",
            "marketing_console.value",
        ]
        kpis = crm_dashboard_kpis(user=marketer, departments=[])
        assert [k["value"] for k in kpis] == [0, 0, 0]
        [panel] = crm_customer_panels(customer=customer, user=marketer, departments=[])
        assert panel.context["score"].code == "111"
        html = app.jinja_env.get_template(panel.template).render(_=lambda s: s, **panel.context)
        assert "RFM <strong>111</strong>" in html and "70.00 CNY" in html


def test_the_dashboard_and_customer_page_show_marketing(console, db, make_customer):
    customer = make_customer()
    assert console.get("/").status_code == 200
    page = console.get(f"/customers/{customer.id}")
    assert page.status_code == 200


def test_other_departments_do_not_see_the_pages(client_for, make_user):
    seller = client_for(make_user("seller-zhao", departments=["sales"]))
    assert seller.get("/marketing/").status_code == 403
