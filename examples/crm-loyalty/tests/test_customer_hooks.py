"""Loyalty as a participant in the host's merges, erasures and exports."""

from __future__ import annotations

import pytest

from crm_host.sdk.customers import erase_customer, export_customer, merge_customers
from crm_loyalty import points


@pytest.mark.hookspec("crm_customers_merging")
def test_a_merge_carries_the_points_over(db, make_customer):
    survivor, merged = make_customer(), make_customer()
    points.move(db, merged.id, 25, "Survey")
    merged_id = merged.id
    merge_customers(db, survivor, merged)
    db.commit()
    assert points.account_of(db, survivor.id).balance == 2 * points.WELCOME_BONUS + 25
    assert points.account_of(db, merged_id) is None


@pytest.mark.hookspec("crm_customer_erasing")
def test_an_erasure_blanks_the_reasons_and_keeps_the_points(db, make_customer):
    customer = make_customer()
    points.move(db, customer.id, 7, "Told us about her daughter's wedding")
    for _ in range(2):  # erasure may run twice
        erase_customer(db, customer)
        db.commit()
    account = points.account_of(db, customer.id)
    assert account.balance == points.WELCOME_BONUS + 7
    assert {m.reason for m in points.movements(db, account)} == {""}


@pytest.mark.hookspec("crm_customer_export")
def test_the_export_lists_the_account_and_movements(app, db, make_customer):
    customer = make_customer()
    with app.app_context():
        exported = export_customer(db, customer.id)["plugins"]["loyalty"]
    assert exported["account"][0]["balance"] == points.WELCOME_BONUS
    assert [m["reason"] for m in exported["movements"]] == ["Welcome bonus"]
