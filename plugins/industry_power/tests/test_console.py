"""The console: accounts, an account's load curve and metrics, advice, fault reports,
and what the pack adds to the menu, the dashboard and the 360° view."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import advice, profiles
from crm_industry_power.models import Fault
from flask_login import login_user

from crm_host.security.auth import LoginUser
from crm_host.web._scoped import kpis_for, menu_for, panels_for

DAY = date(2026, 11, 2)


@pytest.fixture
def console(client_for, power_user):
    return client_for(power_user)


@pytest.fixture
def loaded(db, account, import_text, day_csv, hand_made_day):
    import_text(day_csv("M1", DAY, hand_made_day))
    profiles.add_equipment(
        db, account, {"kind": "transformer", "name": "1#主变", "rated_kva": "1000"}
    )
    account.key_customer = True
    advice.refresh(db, account, DAY, ZoneInfo("Asia/Shanghai"))
    db.commit()
    return account


def test_accounts_and_the_account_page_with_its_load_curve(console, loaded):
    listing = console.get("/power/?category=large_industry").get_data(as_text=True)
    assert "A1" in listing and "A1 工业园区" in listing
    page = console.get(f"/power/accounts/{loaded.id}?day=2026-11-02")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-chart-url="/power/accounts/{loaded.id}/curve.json?day=2026-11-02"' in html
    assert "crm/charts.js" in html
    assert "600.000" in html and "43.2 %" in html  # maximum and load factor
    assert "4585.00 CNY" in html and "1#主变" in html
    assert 'data-rule="shift_to_valley"' in html
    chart = console.get(f"/power/accounts/{loaded.id}/curve.json?day=2026-11-02").json
    assert len(chart["labels"]) == 96 and chart["labels"][76] == "19:00"
    assert chart["series"][0]["values"][76] == 600 and chart["unit"] == "kW"
    empty = console.get(f"/power/accounts/{loaded.id}/curve.json?day=nonsense").json
    assert empty["labels"] == []  # a day that is not one means today: no readings yet
    assert console.get("/power/accounts/99999999").status_code == 404


def test_the_page_speaks_chinese(console, loaded):
    console.post("/language", data={"locale": "zh_Hans", "next": "/"})
    html = console.get(f"/power/accounts/{loaded.id}?day=2026-11-02").get_data(as_text=True)
    assert "日负荷曲线" in html and "日负荷率" in html and "将峰段负荷移至谷段" in html


def test_advice_list(console, loaded):
    html = console.get("/power/advice").get_data(as_text=True)
    assert 'data-rule="shift_to_valley"' in html and "5,722.50 CNY" in html


def test_reporting_a_fault_from_the_account_page(console, db, loaded):
    done = console.post(
        f"/power/accounts/{loaded.id}/faults",
        data={"description": "配电房冒烟", "contact_phone": "13800000000"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "ticket #" in done.get_data(as_text=True)
    assert db.scalar(sa.select(Fault.status)) == "ticketed"
    refused = console.post(
        f"/power/accounts/{loaded.id}/faults", data={"description": ""}, follow_redirects=True
    )
    assert "The fault was not reported" in refused.get_data(as_text=True)


def test_other_departments_do_not_see_the_pages(client_for, make_user):
    sales = client_for(make_user("sales-sun", departments=["sales"]))
    assert sales.get("/power/").status_code == 403


@pytest.mark.hookspec("crm_menu_items")
@pytest.mark.hookspec("crm_dashboard_kpis")
@pytest.mark.hookspec("crm_customer_panels")
def test_menu_kpis_and_panel(app, db, loaded, power_user):
    from crm_host.sdk import Customer

    customer = db.get(Customer, loaded.customer_id)
    with app.test_request_context():
        login_user(LoginUser(power_user))
        endpoints = [item.endpoint for item in menu_for(power_user)]
        assert {"power_console.accounts", "power_console.advice_list"} <= set(endpoints)
        kpis = {
            str(k["label"]): k["value"]
            for k in kpis_for(power_user)
            if k["plugin"] == "industry_power"
        }
        assert kpis["Power accounts"] >= 1 and kpis["Grid upgrades advised"] == 0
        assert kpis["Savings on offer per month (CNY)"] == "5,722.50"
        panels = [p for p in panels_for(customer, power_user) if p.template.startswith("power/")]
        html = app.jinja_env.get_template(panels[0].template).render(context=panels[0].context)
        assert "A1" in html and "1#主变" in html


def test_typical_day_and_month_charts(console, loaded, import_text, day_csv):
    import_text(day_csv("M1", date(2026, 11, 3), [300.0] * 96))
    page = console.get(f"/power/accounts/{loaded.id}?day=2026-11-03").get_data(as_text=True)
    assert f"/power/accounts/{loaded.id}/typical.json?day=2026-11-03" in page
    typical = console.get(f"/power/accounts/{loaded.id}/typical.json?day=2026-11-03").json
    # 19:00: (600 + 300) / 2; 00:00: (100 + 300) / 2.
    assert typical["series"][0]["values"][76] == 450 and typical["series"][0]["values"][0] == 200
    assert typical["labels"][76] == "19:00"
    month = console.get(f"/power/accounts/{loaded.id}/month.json?day=2026-11-03").json
    assert month["labels"] == ["11-02", "11-03"] and month["unit"] == "kWh"
    peak = next(s for s in month["series"] if s["name"] == "Peak")
    assert peak["values"] == [2725.0, 1800.0]  # 24 peak quarter hours × 75 kWh on the 3rd
