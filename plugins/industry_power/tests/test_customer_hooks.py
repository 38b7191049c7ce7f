"""Merges move the pack's rows to the survivor, erasure blanks fault text, exports list all."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import bills, faults
from crm_industry_power.models import Account, Bill, Fault

from crm_host.domain.customers import merge, privacy
from crm_host.sdk import Customer, get_host


@pytest.fixture
def billed(app, db, account, import_text, day_csv, hand_made_day):
    import_text(day_csv("M1", date(2026, 11, 2), hand_made_day))
    bills.compute(db, account, date(2026, 11, 1), ZoneInfo("Asia/Shanghai"))
    with app.app_context():
        session = get_host().session
        faults.report_fault(
            session,
            session.get(Account, account.id),
            {"description": "张三家停电", "contact_phone": "13800001111"},
        )
        session.commit()
    db.commit()
    return account


@pytest.mark.hookspec("crm_customers_merging")
def test_a_merge_moves_accounts_bills_and_faults(app, db, billed, make_customer):
    survivor = make_customer()
    with app.app_context():
        session = get_host().session
        merge.merge_by_id(session, survivor.id, billed.customer_id)
        session.commit()
    for model in (Account, Bill, Fault):
        assert set(db.scalars(sa.select(model.customer_id))) == {survivor.id}


@pytest.mark.hookspec("crm_customer_erasing")
@pytest.mark.hookspec("crm_customer_export")
def test_export_then_erase(app, db, billed):
    with app.app_context():
        session = get_host().session
        exported = privacy.export_customer(session, billed.customer_id)
        privacy.erase_customer(session, session.get(Customer, billed.customer_id))
        session.commit()
    power = exported["plugins"]["industry_power"]
    assert [a["number"] for a in power["accounts"]] == ["A1"]
    assert [m["number"] for m in power["meters"]] == ["M1"]
    assert power["bills"][0]["amount"] == "34585.00"
    assert power["faults"][0]["contact_phone"] == "13800001111"
    fault = db.scalar(sa.select(Fault))
    assert (fault.description, fault.contact_phone) == ("[erased]", None)
    assert db.scalar(sa.select(Bill.amount)) == 34585  # billing records are kept
