"""sales0009 turns the sales timeline's reference strings into typed references and back."""

from __future__ import annotations

from crm_host.testing.timeline_migration import check_typed_timeline_round_trip

OLD = {
    "sales_lead:3": ("sales.lead", 3),
    "sales_quote:14": ("sales.quote", 14),
    "sales_order:15": ("sales.order", 15),
    "sales_activity:926": ("sales.activity", 926),
}


def test_old_references_become_typed_and_come_back(crm_databases):
    check_typed_timeline_round_trip(
        crm_databases, plugin="sales", before="sales@sales0008", old=OLD, foreign="sales_lead:9"
    )
