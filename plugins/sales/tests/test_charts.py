"""The sales board's charts: the weighted forecast by month and the stage funnel, as the
host's chart helper serves them, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import date

from crm_sales import pipeline


def test_forecast_and_funnel_charts(client_for, db, seller, make_customer):
    customer = make_customer()
    for name, amount, currency, stage, close in (
        ("年度框架", "20000", "CNY", "proposal", date(2026, 12, 20)),
        ("备件", "8000", "CNY", "negotiation", date(2027, 1, 5)),
        ("出口", "1000", "USD", "prospecting", None),
    ):
        pipeline.create_opportunity(
            db,
            {
                "name": name,
                "customer_id": customer.id,
                "amount": amount,
                "currency": currency,
                "stage": stage,
                "expected_close": close,
                "department": "sales",
            },
        )
    db.commit()
    browser = client_for(seller)
    board = browser.get("/sales/").get_data(as_text=True)
    assert 'data-chart-url="/sales/charts/forecast"' in board
    assert 'data-chart-url="/sales/charts/funnel"' in board
    # 20000 × 50 % = 10000 in December, 8000 × 75 % = 6000 in January, 1000 USD × 10 %.
    assert browser.get("/sales/charts/forecast").json == {
        "labels": ["2026-12", "2027-01", "No close date"],
        "series": [
            {"name": "Weighted (CNY)", "values": [10000.0, 6000.0, 0.0]},
            {"name": "Weighted (USD)", "values": [0.0, 0.0, 100.0]},
        ],
        "unit": "",
    }
    # Furthest stages: proposal, negotiation, prospecting.
    assert browser.get("/sales/charts/funnel").json == {
        "labels": ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won"],
        "series": [{"name": "Deals reached", "values": [3, 2, 2, 1, 0]}],
        "unit": "",
    }


def test_charts_are_refused_to_other_departments(client_for, make_user):
    agent = make_user("svc-charts", departments=["service"], role="agent")
    assert client_for(agent).get("/sales/charts/forecast").status_code == 403
    assert client_for(agent).get("/sales/charts/funnel").status_code == 403
