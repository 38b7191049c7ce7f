"""The customer-value page: pyramid, loyalty–value matrix, churn risk, the model and win-back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from crm_marketing import rfm
from crm_marketing.models import CustomerValue, Segment

from crm_host.sdk import utcnow

ZH = {"Accept-Language": "zh-CN"}


def test_the_value_page_shows_tiers_quadrants_and_risks(
    client_for, marketer, db, make_customer, buy
):
    people = [make_customer() for _ in range(5)]
    for i, customer in enumerate(people):
        buy(customer, f"{10 * (i + 1)}.00", utcnow() - timedelta(days=i + 1))
    rfm.refresh(db)
    db.add(
        CustomerValue(
            customer_id=people[0].id,
            currency="CNY",
            frequency=0,
            recency_weeks=0.0,
            age_weeks=1.0,
            p_alive=0.1,
            expected_purchases=0.1,
            expected_value=Decimal("3.00"),
            churn_risk="high",
        )
    )
    db.commit()
    console = client_for(marketer)
    html = console.get("/marketing/value", headers=ZH).get_data(as_text=True)
    assert "客户金字塔" in html and "挚友型（忠诚高值）" in html
    # Five buyers: the tiers end at 5 × 1 %, 5 × 5 % and 5 × 20 % rounded down — 0, 0
    # and 1 — so the biggest spender (50) is medium and the other four (10 … 40) small.
    assert '<tr data-tier="top"><td>顶级客户</td><td>0</td><td>0</td></tr>' in html
    assert '<tr data-tier="medium"><td>中</td><td>1</td><td>50.00</td></tr>' in html
    assert '<tr data-tier="small"><td>小客户</td><td>4</td><td>100.00</td></tr>' in html
    assert '<tr data-risk="high"><td>高</td><td>1</td></tr>' in html
    chart = console.get("/marketing/value/pyramid.json").get_json()
    assert chart["labels"] == ["Top", "Big", "Medium", "Small"]
    assert chart["series"][0]["values"] == [0, 0, 1, 4]
    risks = console.get("/marketing/value/churn.json").get_json()
    assert risks["series"][0]["values"] == [0, 0, 1]
    made = console.post("/marketing/value/win-back")
    assert made.status_code == 302
    segment = db.query(Segment).filter(Segment.name.like("Win-back %")).one()
    assert made.headers["Location"].endswith(f"/marketing/segments/{segment.id}")
    assert segment.rules == {
        "all": [{"field": "churn_risk", "op": "in", "value": ["medium", "high"]}]
    }


def test_the_menu_offers_customer_value(client_for, marketer):
    html = client_for(marketer).get("/marketing/value").get_data(as_text=True)
    assert 'href="/marketing/value"' in html
