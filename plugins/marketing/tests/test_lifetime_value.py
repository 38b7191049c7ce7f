"""Lifetime value stored per customer, refreshed from the transaction union.

The purchase summaries are checked against hand-worked figures; the stored
predictions against the models of ``crm_marketing.clv`` (checked against published
CDNOW work in ``test_clv_models``) applied to those figures.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from crm_marketing import clv, lifetime_value
from crm_marketing.models import CustomerValue, ValueModel

from crm_host.sdk import enqueue, utcnow
from crm_host.testing.tables import Job

#: Days before now of each customer's purchases (amount per purchase).
HISTORIES = [
    [(70, "100.00"), (35, "30.00"), (35, "20.00"), (14, "80.00")],
    [(60, "40.00")],
    [(63, "10.00"), (56, "12.00"), (49, "14.00"), (42, "16.00"), (7, "18.00")],
    [(84, "200.00"), (77, "220.00")],
    [(28, "50.00"), (21, "55.00"), (14, "45.00")],
    [(90, "15.00")],
    [(50, "60.00"), (10, "70.00")],
    [(80, "25.00"), (40, "35.00"), (30, "45.00"), (20, "55.00")],
    [(5, "99.00")],
    [(70, "30.00"), (68, "30.00")],
]


@pytest.fixture
def buyers(db, make_customer, buy):
    now = utcnow()
    people = []
    for history in HISTORIES:
        customer = make_customer()
        for days, amount in history:
            buy(customer, amount, now - timedelta(days=days))
        people.append(customer)
    # A euro order is neither a purchase day nor spend in yuan.
    buy(people[1], "999.00", now - timedelta(days=1), currency="EUR")
    return people


def test_summaries_are_counted_in_purchase_days_and_weeks(db, buyers):
    data = lifetime_value.summaries(db, "CNY", utcnow())
    at = {cid: i for i, cid in enumerate(data.customer_ids)}
    first = at[buyers[0].id]
    # Two orders on day 35 are one purchase: repeats on days 35 and 14.
    assert data.frequency[first] == 2
    assert data.recency[first] == pytest.approx(56 / 7)
    assert data.age[first] == pytest.approx(70 / 7)
    # The first purchase stays out of the mean spend: (30 + 20 + 80) / 2.
    assert data.average_spend[first] == pytest.approx(65.0)
    one_off = at[buyers[1].id]
    assert (data.frequency[one_off], data.recency[one_off], data.age[one_off]) == (
        0,
        0,
        pytest.approx(60 / 7),
    )
    assert data.average_spend[one_off] == 0
    assert len(data.customer_ids) == len(HISTORIES)


def test_refresh_stores_each_customers_predictions(db, buyers):
    # Undiscounted (rate 0): the value is expected purchases times expected spend.
    model = lifetime_value.refresh(db, "CNY", 182, discount_rate=0)
    db.commit()
    data = lifetime_value.summaries(db, "CNY", model.computed_at)
    bgnbd = clv.fit_bgnbd(data.frequency, data.recency, data.age)
    spend = clv.fit_gamma_gamma(data.frequency, data.average_spend)
    assert (model.r, model.alpha, model.a, model.b) == pytest.approx(
        (bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b), rel=1e-6
    )
    assert (model.p, model.q, model.v) == pytest.approx((spend.p, spend.q, spend.v), rel=1e-6)
    assert model.customers == 10 and model.repeat_buyers == 7 and model.horizon_days == 182
    horizon = 182 / 7
    alive = bgnbd.p_alive(data.frequency, data.recency, data.age)
    purchases = bgnbd.expected_purchases(horizon, data.frequency, data.recency, data.age)
    value = purchases * spend.expected_spend(data.frequency, data.average_spend)
    for i, customer_id in enumerate(data.customer_ids):
        stored = db.get(CustomerValue, customer_id)
        assert stored.p_alive == pytest.approx(alive[i])
        assert stored.expected_purchases == pytest.approx(purchases[i])
        assert stored.expected_value == Decimal(f"{value[i]:.2f}")
        assert stored.churn_risk == lifetime_value.churn_risk(alive[i])
    # A one-purchase customer cannot have been seen to drop out.
    assert db.get(CustomerValue, buyers[1].id).p_alive == 1.0
    assert db.get(CustomerValue, buyers[1].id).churn_risk == "low"
    assert db.get(CustomerValue, buyers[0].id).average_spend == Decimal("65.00")
    assert np.all(purchases >= 0)


def test_churn_risk_bands():
    assert [lifetime_value.churn_risk(p) for p in (0.0, 0.29, 0.3, 0.69, 0.7, 1.0)] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
    ]


def test_too_little_history_is_refused_and_changes_nothing(db, make_customer, buy):
    buy(make_customer(), "10.00", utcnow() - timedelta(days=3))
    with pytest.raises(lifetime_value.HistoryError, match="cannot fit the purchase model"):
        lifetime_value.refresh(db)
    assert db.query(ValueModel).count() == 0


def test_the_scheduled_job_refits_and_feeds_segments(db, buyers, run_jobs):
    from crm_marketing import segments
    from crm_marketing.rules import compile_rules

    job_id = enqueue(db, lifetime_value.JOB, {"currency": "CNY", "horizon_days": 90})
    db.commit()
    run_jobs(names=[lifetime_value.JOB])
    assert db.get(Job, job_id).status == "done"
    db.expire_all()
    assert lifetime_value.current_model(db).horizon_days == 90
    stored = {v.customer_id: v for v in db.query(CustomerValue)}
    assert set(stored) == {c.id for c in buyers}
    likely = {cid for cid, v in stored.items() if v.p_alive >= 0.5}
    condition = compile_rules(db, {"all": [{"field": "p_alive", "op": "gte", "value": 0.5}]})
    assert {c.id for c in segments.sample(db, condition, 100)} == likely
    risky = compile_rules(db, {"all": [{"field": "churn_risk", "op": "in", "value": ["high"]}]})
    assert {c.id for c in segments.sample(db, risky, 100)} == {
        cid for cid, v in stored.items() if v.churn_risk == "high"
    }


def test_api_and_cli(db, buyers, api, cli, run_jobs):
    assert api.get("/api/v1/marketing/value").get_json() == {
        "model": None,
        "churn_risk": {"low": 0, "medium": 0, "high": 0},
    }
    out = cli("marketing", "analytics", "clv", "--horizon-days", "365").output
    assert out.startswith("10 customers (7 bought again), CNY, 365-day horizon")
    assert "BG/NBD r=" in out and "Gamma-Gamma p=" in out
    assert "Pareto/NBD r=" in out
    summary = api.get("/api/v1/marketing/value").get_json()
    assert summary["model"]["customers"] == 10
    assert summary["model"]["discount_rate"] == 0.1
    compared = summary["model"]["comparison"]
    assert set(compared["models"]) == {"bgnbd", "pareto_nbd"}
    assert compared["models"]["bgnbd"]["log_likelihood"] == pytest.approx(
        summary["model"]["bgnbd_log_likelihood"]
    )
    page_text = api.get("/marketing/value").get_data(as_text=True)
    assert "Pareto/NBD" in page_text and "Mean absolute error" in page_text
    assert sum(summary["churn_risk"].values()) == 10
    one = api.get(f"/api/v1/marketing/value/customers/{buyers[0].id}").get_json()
    assert one["frequency"] == 2 and one["average_spend"] == "65.00"
    page = api.get("/api/v1/marketing/value/customers?churn_risk=low").get_json()
    assert all(item["churn_risk"] == "low" for item in page["items"])
    assert api.get("/api/v1/marketing/value/customers/999999").status_code == 404
    bad = api.post("/api/v1/marketing/value/refresh", json={"horizon_days": 0})
    assert bad.status_code == 422 and "horizon_days" in str(bad.get_json())
    queued = api.post("/api/v1/marketing/value/refresh", json={"horizon_days": 30})
    assert queued.status_code == 202
    run_jobs(names=[lifetime_value.JOB])
    assert api.get("/api/v1/marketing/value").get_json()["model"]["horizon_days"] == 30


def test_cli_says_why_it_cannot_fit(db, cli, make_customer):
    result = cli("marketing", "analytics", "clv")
    assert result.exit_code == 1
    assert "cannot fit the purchase model on the CNY transactions" in result.output
