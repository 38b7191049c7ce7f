"""Advice and bills from the hand-made day, with every figure worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import advice, bills
from crm_industry_power.models import Advice

from crm_host.domain import analytics

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 2)


@pytest.fixture
def loaded(make_account, import_text, day_csv, hand_made_day):
    """Three accounts with the hand-made day (max 600 kW, 6225 kWh) and different capacities."""

    def make(number: str, kva: str):
        account = make_account(number, meters=(f"{number}-M",), kva=kva)
        import_text(day_csv(f"{number}-M", DAY, hand_made_day))
        return account

    return make


def _rules(rows):
    return {row.rule: row for row in rows}


def test_an_over_contracted_capacity_is_advised_down(db, loaded):
    account = loaded("OVER", "2000")  # 600 / 2000 = 30 % < 40 %
    rows = _rules(advice.refresh(db, account, DAY, SHANGHAI))
    reduce = rows["capacity_reduction"]
    # 600 kW / 0.7 = 857.1 → next 50 kVA: 900; (2000 − 900) × 30 CNY = 33,000 a month.
    assert reduce.figures["recommended_kva"] == 900
    assert reduce.figures["utilisation"] == 0.3
    assert (reduce.monthly_saving, reduce.currency) == (Decimal("33000.00"), "CNY")
    assert "grid_upgrade" not in rows


def test_a_connection_near_its_limit_is_advised_up(db, loaded):
    account = loaded("FULL", "630")  # 600 / 630 = 95.2 % > 90 %
    rows = _rules(advice.refresh(db, account, DAY, SHANGHAI))
    upgrade = rows["grid_upgrade"]
    assert upgrade.kind == "upgrade" and upgrade.figures["recommended_kva"] == 900
    assert upgrade.monthly_saving is None
    assert "capacity_reduction" not in rows


def test_peak_heavy_and_peaky_load(db, loaded):
    account = loaded("MID", "1000")  # 60 %: neither too little nor too much capacity
    rows = _rules(advice.refresh(db, account, DAY, SHANGHAI))
    assert set(rows) == {"shift_to_valley", "low_load_factor"}
    shift = rows["shift_to_valley"]
    # peak 2725 of 6225 kWh = 43.8 % > 30 %: move 10 % (272.5 kWh) at 1.0 − 0.3 = 0.7 CNY:
    # 190.75 CNY over the one day of data, × 30 days = 5,722.50 a month.
    assert shift.figures["peak_share"] == pytest.approx(0.4378, abs=1e-4)
    assert shift.figures["shifted_kwh"] == "272.500"
    assert shift.monthly_saving == Decimal("5722.50")
    assert rows["low_load_factor"].figures["load_factor"] == pytest.approx(0.4323, abs=1e-4)
    # Refreshing replaces, never piles up.
    advice.refresh(db, account, DAY, SHANGHAI)
    count = sa.select(sa.func.count()).select_from(Advice).where(Advice.account_id == account.id)
    assert db.scalar(count) == 2


def test_no_readings_no_advice(db, make_account):
    account = make_account("EMPTY", meters=("E-M",))
    assert advice.refresh(db, account, DAY, SHANGHAI) == []


@pytest.mark.hookspec("crm_transaction_sources")
def test_a_month_bill_is_a_host_transaction(db, loaded):
    account = loaded("BILL", "1000")
    bill = bills.compute(db, account, date(2026, 11, 1), SHANGHAI)
    # Energy 4585.00 (see the hand-made day) + basic charge 1000 kVA × 30 = 30,000.
    assert (bill.peak_kwh, bill.flat_kwh, bill.valley_kwh) == (2725, 2700, 800)
    assert bill.energy_amount == Decimal("4585.00")
    assert bill.capacity_amount == Decimal("30000.00")
    assert bill.amount == Decimal("34585.00")
    # Issued when November ends in Shanghai: 2026-12-01 00:00 +08:00.
    assert bill.issued_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    again = bills.compute(db, account, date(2026, 11, 15), SHANGHAI)
    assert again.id == bill.id
    db.commit()
    transactions = analytics.transactions(db)
    rows = db.execute(sa.select(transactions).where(transactions.c.source == bills.SOURCE)).all()
    assert [(r.customer_id, r.amount, r.currency, r.ref) for r in rows] == [
        (account.customer_id, Decimal("34585.00"), "CNY", f"bill-{bill.id}")
    ]


def test_no_bill_without_readings(db, make_account):
    account = make_account("NOBILL", meters=("NB-M",))
    assert bills.compute(db, account, date(2026, 10, 1), SHANGHAI) is None
