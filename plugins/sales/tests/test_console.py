"""What users see: the pipeline page, the menu entry, the dashboard KPI, the 360° panel,
the commands, and the zh_Hans catalogue covering every template string."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import crm_sales
import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from crm_sales import orders, pipeline, scoring
from crm_sales.models import Lead, Opportunity
from crm_sales.plugin import crm_customer_panels, crm_dashboard_kpis, crm_menu_items

from crm_host.sdk import Customer

PACKAGE = Path(crm_sales.__file__).parent


def test_the_pipeline_page_lists_open_deals_by_stage(client_for, db, seller, make_customer):
    customer = make_customer()
    pipeline.create_opportunity(
        db,
        {
            "name": "钢材年度框架",
            "customer_id": customer.id,
            "amount": "20000",
            "stage": "proposal",
            "expected_close": date(2026, 12, 20),
            "department": "sales",
        },
    )
    db.commit()
    page = client_for(seller).get("/sales/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "钢材年度框架" in html
    assert 'data-stage="proposal"' in html
    assert "10,000.00 CNY" in html  # weighted: 20000 × 50%
    assert "2026-12" in html


def test_the_pipeline_page_is_refused_to_other_departments(client_for, make_user):
    agent = make_user("svc", departments=["service"], role="agent")
    page = client_for(agent).get("/sales/")
    assert page.status_code == 403


@pytest.mark.hookspec("crm_menu_items")
@pytest.mark.hookspec("crm_dashboard_kpis")
@pytest.mark.hookspec("crm_customer_panels")
def test_menu_kpi_and_panel(app, db, seller, make_customer):
    customer = make_customer()
    pipeline.create_opportunity(db, {"name": "A", "customer_id": customer.id, "amount": "1234.50"})
    orders.create_order(
        db, {"customer_id": customer.id, "lines": [{"description": "x", "unit_price": "10"}]}
    )
    db.commit()
    with app.test_request_context():
        items = crm_menu_items(user=seller, departments=[])
        assert [(str(i.label), i.endpoint) for i in items] == [
            ("Pipeline", "sales_console.pipeline_board"),
            ("Leads", "sales_console.leads_page"),
            ("Quotes", "sales_console.quotes_page"),
        ]
        [kpi] = crm_dashboard_kpis(user=seller, departments=[])
        assert (str(kpi["label"]), kpi["value"], kpi["unit"]) == (
            "Open pipeline (CNY)",
            "1,234.50",
            "CNY",
        )
        [panel] = crm_customer_panels(customer=customer, user=seller, departments=[])
        assert [o.name for o in panel.context["opportunities"]] == ["A"]
        assert [str(o.amount) for o in panel.context["orders"]] == ["10.00"]
        html = app.jinja_env.get_template(panel.template).render(_=lambda s: s, **panel.context)
        assert "A — Prospecting — 1,234.50 CNY" in html


def test_the_dashboard_shows_the_open_pipeline(client_for, db, seller, make_customer):
    pipeline.create_opportunity(
        db, {"name": "A", "customer_id": make_customer().id, "amount": "500"}
    )
    db.commit()
    html = client_for(seller).get("/").get_data(as_text=True)
    assert "500.00" in html


@pytest.mark.hookspec("crm_register_commands")
def test_the_commands(cli, db, make_customer):
    pipeline.create_opportunity(
        db,
        {
            "name": "A",
            "customer_id": make_customer().id,
            "amount": "8000",
            "stage": "negotiation",
            "expected_close": date(2027, 3, 1),
        },
    )
    db.commit()
    out = cli("sales", "pipeline").output
    assert "negotiation\t75%\t1\t8000.00 CNY (weighted 6000.00)" in out.splitlines()
    assert cli("sales", "forecast").output.splitlines() == ["2027-03\tCNY\t1\t8000.00\t6000.00"]
    added = cli("sales", "scoring", "add", "source", "equals", "25", "--value", "web")
    assert added.exit_code == 0, added.output
    assert [r.points for r in scoring.active_rules(db)] == [25]
    refused = cli("sales", "scoring", "add", "source", "equals", "5")
    assert refused.exit_code != 0 and "value: Required with equals." in refused.output
    assert cli("sales", "leads", "list").exit_code == 0


def test_every_template_string_has_a_chinese_translation():
    with (PACKAGE / "translations/zh_Hans/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    translated = {m.id for m in catalogue if m.id and m.string}
    used = set()
    for template in (PACKAGE / "templates").rglob("*.html"):
        used |= set(re.findall(r"_\('([^']+)'\)", template.read_text(encoding="utf-8")))
    for source in PACKAGE.rglob("*.py"):
        code = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"(?:_l|gettext)\(\s*\"([^\"]+)\"", code))
    # Stage names are shown translated too: the seeded ones must be in the catalogue.
    used |= {"Prospecting", "Qualification", "Proposal", "Negotiation", "Won", "Lost"}
    used |= {"new", "contacted", "qualified"}  # lead statuses, shown translated
    used |= {"draft", "sent", "accepted", "rejected", "expired"}  # quote statuses too
    assert used - translated == set()
    assert len(used) > 15


def test_the_customer_360_view_shows_the_sales_panel(client_for, db, seller, make_customer):
    customer = make_customer(name="恒力钢铁")
    pipeline.create_opportunity(
        db, {"name": "年度框架", "customer_id": customer.id, "amount": "1234.50"}
    )
    orders.create_order(
        db,
        {
            "customer_id": customer.id,
            "number": "SO-7",
            "lines": [{"description": "x", "unit_price": "10"}],
        },
    )
    db.commit()
    page = client_for(seller).get(f"/customers/{customer.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "年度框架 — Prospecting — 1,234.50 CNY" in html
    assert "SO-7" in html


def test_the_pipeline_page_speaks_chinese(client_for, seller):
    page = client_for(seller).get("/sales/", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert "<h1>销售管道</h1>" in html
    assert "销售预测" in html and "暂无进行中的商机" in html


def test_capture_qualify_and_convert_a_lead_in_the_console(client_for, db, seller):
    client = client_for(seller)
    captured = client.post(
        "/sales/leads", data={"name": "李雷", "company": "恒力", "department": "sales"}
    )
    assert captured.status_code == 302
    lead = db.scalar(sa.select(Lead).where(Lead.name == "李雷"))
    assert lead.owner_id == seller.id
    page = client.get("/sales/leads").get_data(as_text=True)
    assert f'data-lead="{lead.id}"' in page and 'value="qualified"' in page
    client.post(f"/sales/leads/{lead.id}/status", data={"status": "qualified"})
    done = client.post(
        f"/sales/leads/{lead.id}/convert", data={"customer_code": "HL-9", "amount": "5000"}
    )
    customer = db.scalar(sa.select(Customer).where(Customer.code == "HL-9"))
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/customers/{customer.id}"
    )
    deal = db.scalar(sa.select(Opportunity).where(Opportunity.customer_id == customer.id))
    board = client.get("/sales/").get_data(as_text=True)
    assert f'data-deal="{deal.id}"' in board
    moved = client.post(f"/sales/opportunities/{deal.id}/stage", data={"stage": "lost"})
    assert moved.status_code == 302
    assert db.get(Opportunity, deal.id).status.value == "open"  # a loss needs a reason
    assert "Say why the deal was lost." in client.get("/sales/").get_data(as_text=True)
    client.post(f"/sales/opportunities/{deal.id}/stage", data={"stage": "negotiation"})
    db.expire_all()
    assert db.get(Opportunity, deal.id).stage.code == "negotiation"
