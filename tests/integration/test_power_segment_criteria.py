"""Power's segment criteria: a segment using them counts the right customers.

Two plugins meet here — power declares the criteria, marketing's rule compiler uses
them — so the test lives with the host's integration tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from crm_industry_power import profiles, tariffs
from crm_industry_power.models import Bill, ServiceClass

from crm_host.sdk.customers import CriterionError


@pytest.fixture
def make_account(db, make_customer):
    """``make_account("A1", customer_id=…, kva="200", …)``: a power account on a TOU tariff."""
    tariff = tariffs.save_tariff(
        db,
        {
            "code": "ind-tou",
            "name": "大工业分时",
            "peak_price": "1.0",
            "flat_price": "0.6",
            "valley_price": "0.3",
            "capacity_price": "30",
            "periods": [{"period": "valley", "start": "00:00", "end": "07:00"}],
        },
    )

    def make(number, *, kva="1000", **fields):
        customer_id = fields.pop("customer_id", None) or make_customer(kind="organization").id
        account = profiles.save_account(
            db,
            {
                "number": number,
                "customer_id": customer_id,
                "service_point": f"{number} 工业园区",
                "category": "large_industry",
                "voltage_level": "10kV",
                "contracted_kva": kva,
                "tariff": tariff.code,
                **fields,
            },
        )
        db.commit()
        return account

    return make


@pytest.fixture
def customers(db, make_customer, make_account):
    """Three customers:
    big — A1 large industry, 10kV, 1000 kVA, key; bills October 1000 kWh, November 6225;
    shop — A2 commercial, 0.4kV, 200 kVA, ordinary, November 500 kWh; A3 residential 8 kVA;
    none — no power account.
    """
    big, shop, none = make_customer(), make_customer(), make_customer()
    a1 = make_account("A1", customer_id=big.id)
    a2 = make_account(
        "A2", customer_id=shop.id, category="commercial", voltage_level="0.4kV", kva="200"
    )
    make_account("A3", customer_id=shop.id, category="residential", voltage_level="0.22kV", kva="8")
    for account, level in ((a1, "key"), (a2, "ordinary")):
        db.add(
            ServiceClass(account_id=account.id, level=level, reason="test", annual_kwh=Decimal(0))
        )
    for account, month, kwh in ((a1, 10, 1000), (a1, 11, 6225), (a2, 11, 500)):
        db.add(
            Bill(
                account_id=account.id,
                customer_id=account.customer_id,
                month=date(2026, month, 1),
                issued_at=datetime(2026, month, 28, tzinfo=UTC),
                peak_kwh=Decimal(kwh),
                flat_kwh=Decimal(0),
                valley_kwh=Decimal(0),
                energy_amount=Decimal(kwh),
                capacity_amount=Decimal(0),
                amount=Decimal(kwh),
                currency="CNY",
            )
        )
    db.commit()
    return {"big": big.id, "shop": shop.id, "none": none.id}


CASES = [
    ("power_category", "eq", "large_industry", {"big"}),
    ("power_category", "in", ["commercial", "residential"], {"shop"}),
    ("power_category", "ne", "large_industry", {"shop", "none"}),
    ("power_voltage_level", "in", ["10kV"], {"big"}),
    ("power_contracted_kva", "gte", 500, {"big"}),
    ("power_contracted_kva", "between", [5, 300], {"shop"}),
    ("power_service_level", "eq", "key", {"big"}),
    ("power_service_level", "is_not_set", None, {"none"}),
    # The latest billed month counts: big's 1000 kWh October is not.
    ("power_monthly_kwh", "gte", 1000, {"big"}),
    ("power_monthly_kwh", "lte", 1000, {"shop"}),
]


@pytest.mark.hookspec("crm_segment_criteria")
@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_a_segment_on_power_criteria_counts_the_right_customers(
    db, customers, field, op, value, expected
):
    from crm_marketing import segments
    from crm_marketing.rules import compile_rules

    rule = {"field": field, "op": op} | ({} if value is None else {"value": value})
    condition = compile_rules(db, {"all": [rule]})
    found = {c.id for c in segments.sample(db, condition, limit=100)}
    assert found == {customers[name] for name in expected}
    assert segments.count(db, condition) == len(expected)


def test_criteria_combine_and_bad_values_are_named(db, customers):
    from crm_marketing import segments
    from crm_marketing.rules import compile_rules

    from crm_host.sdk import ValidationFailed

    both = compile_rules(
        db,
        {
            "all": [
                {"field": "power_category", "op": "eq", "value": "large_industry"},
                {"field": "power_monthly_kwh", "op": "gte", "value": 5000},
            ]
        },
    )
    assert segments.count(db, both) == 1
    with pytest.raises((ValidationFailed, CriterionError)):
        compile_rules(db, {"all": [{"field": "power_contracted_kva", "op": "gte", "value": "x"}]})
