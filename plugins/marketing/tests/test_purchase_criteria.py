"""Recency, frequency and spend over a window of the transaction union, and the
``gt`` / ``lt`` operators on numbers and dates, on hand-computed segments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crm_marketing import segments
from crm_marketing.forms import rows_of, rules_from_form
from crm_marketing.registry import criteria_of
from crm_marketing.rules import compile_rules

from crm_host.sdk import ValidationFailed, timeline, utcnow


def members(db, *conditions):
    condition = compile_rules(db, {"all": list(conditions)})
    return {c.code for c in segments.sample(db, condition, 1000)}


@pytest.fixture
def shoppers(db, make_customer, buy):
    """A: bought 5 and 40 days ago (30 + 70); B: 3 times in the last 20 days (10 each);
    C: bought 100 days ago, and a service ticket 2 days ago; D: never bought."""
    now = utcnow()
    people = {code: make_customer(code=code) for code in "ABCD"}
    buy(people["A"], "30.00", now - timedelta(days=5))
    buy(people["A"], "70.00", now - timedelta(days=40))
    for days in (2, 10, 20):
        buy(people["B"], "10.00", now - timedelta(days=days))
    buy(people["C"], "500.00", now - timedelta(days=100))
    timeline.add_entry(
        db,
        customer_id=people["C"].id,
        channel="phone",
        subject="service ticket",
        occurred_at=now - timedelta(days=2),
    )
    db.commit()
    return people


def test_purchased_within_counts_purchases_not_service_touches(db, shoppers):
    within = {"field": "last_purchase", "op": "within", "value": 30}
    assert members(db, within) == {"A", "B"}
    # C's only recent touch is a service ticket: an interaction, not a purchase.
    assert "C" in members(db, {"field": "last_interaction", "op": "within", "value": 30})
    assert members(db, {**within, "op": "not_within"}) == {"C", "D"}
    assert members(db, {**within, "value": 120}) == {"A", "B", "C"}


def test_purchases_in_a_window(db, shoppers):
    def window(op, value, days=30):
        return members(
            db, {"field": "recent_purchases", "op": op, "value": {"days": days, "value": value}}
        )

    # In the last 30 days: A 1, B 3, C 0, D 0.
    assert window("gte", 2) == {"B"}
    assert window("gt", 1) == {"B"}
    assert window("gt", 0) == {"A", "B"}
    assert window("eq", 1) == {"A"}
    # No purchase in the window is a count of 0: fewer than 2 includes C and D.
    assert window("lt", 2) == {"A", "C", "D"}
    assert window("lte", 1) == {"A", "C", "D"}
    assert window("lt", 1) == {"C", "D"}
    assert window("between", [1, 3]) == {"A", "B"}
    # Over 50 days A has 2.
    assert window("gte", 2, days=50) == {"A", "B"}


def test_spend_in_a_window(db, shoppers):
    def spend(op, value, days):
        return members(
            db, {"field": "recent_spend", "op": op, "value": {"days": days, "value": value}}
        )

    # Last 30 days: A 30, B 30, C 0, D 0; last 50: A 100, B 30.
    assert spend("gte", 30, 30) == {"A", "B"}
    assert spend("gt", 30, 30) == set()
    assert spend("gte", 100, 50) == {"A"}
    assert spend("lt", 50, 50) == {"B", "C", "D"}
    # All-time spend is unchanged: C's 500 counts there.
    assert members(db, {"field": "monetary", "op": "gt", "value": 100}) == {"C"}
    assert members(db, {"field": "monetary", "op": "lt", "value": 100}) == {"B"}


def test_gt_and_lt_on_numbers_and_dates(db, make_customer, shoppers):
    make_customer(code="E", birth_date=date(1990, 5, 1))
    make_customer(code="F", birth_date=date(1990, 5, 2))
    db.commit()
    assert members(db, {"field": "birth_date", "op": "gt", "value": "1990-05-01"}) == {"F"}
    assert members(db, {"field": "birth_date", "op": "gte", "value": "1990-05-01"}) == {"E", "F"}
    assert members(db, {"field": "birth_date", "op": "lt", "value": "1990-05-02"}) == {"E"}
    assert members(db, {"field": "purchases", "op": "gt", "value": 2}) == {"B"}
    assert members(db, {"field": "purchases", "op": "lt", "value": 2}) == {"C"}
    today = utcnow().date()
    last = {"field": "last_purchase_date"}
    assert members(db, {**last, "op": "gt", "value": str(today - timedelta(days=5))}) == {"B"}
    assert members(db, {**last, "op": "gte", "value": str(today - timedelta(days=5))}) == {
        "A",
        "B",
    }
    assert members(db, {**last, "op": "lt", "value": str(today - timedelta(days=5))}) == {"C"}
    between = [str(today - timedelta(days=200)), str(today - timedelta(days=50))]
    assert members(db, {**last, "op": "between", "value": between}) == {"C"}


def test_bad_values_name_the_criterion_and_the_field(db):
    with pytest.raises(ValidationFailed) as caught:
        compile_rules(
            db,
            {
                "all": [
                    {"field": "recent_purchases", "op": "gt", "value": 3},
                    {"field": "last_purchase_date", "op": "lt", "value": "yesterday"},
                    {"field": "last_purchase", "op": "gt", "value": 3},
                    {"field": "recent_spend", "op": "gte", "value": {"days": -1, "value": 5}},
                ]
            },
        )
    details = caught.value.details
    assert details["rules.all[0].value"] == [
        'recent_purchases: Needs {"days": N, "value": number or [lowest, highest]}.'
    ]
    assert details["rules.all[1].value"] == ["last_purchase_date: Needs a date as YYYY-MM-DD."]
    assert details["rules.all[2].op"] == ["last_purchase: Must be one of: within, not_within."]
    assert details["rules.all[3].value"] == [
        "recent_spend: Needs a whole number of days from 0 to 36500."
    ]


def test_the_builder_form_types_a_window(db):
    criteria = criteria_of(db)
    form = {"field-0": "recent_purchases", "op-0": "between", "value-0": "30: 1, 3"}
    tree = rules_from_form(form, criteria)
    assert tree == {
        "all": [
            {
                "field": "recent_purchases",
                "op": "between",
                "value": {"days": 30, "value": ["1", "3"]},
            }
        ]
    }
    compile_rules(db, tree)
    assert rows_of(tree)[1][0]["value"] == "30: 1, 3"
