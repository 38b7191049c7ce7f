"""power0008 turns the power timeline's reference strings into typed references and back."""

from __future__ import annotations

from crm_host.testing.timeline_migration import check_typed_timeline_round_trip

OLD = {"power-fault:5": ("power.fault", 5), "power-fault:61": ("power.fault", 61)}


def test_old_references_become_typed_and_come_back(crm_databases):
    check_typed_timeline_round_trip(
        crm_databases,
        plugin="industry_power",
        before="power@power0007",
        old=OLD,
        foreign="power-fault:9",
    )
