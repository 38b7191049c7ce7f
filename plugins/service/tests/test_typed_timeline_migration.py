"""svc0009 turns the service timeline's reference strings into typed references and back."""

from __future__ import annotations

from crm_host.testing.timeline_migration import check_typed_timeline_round_trip

OLD = {"service.ticket:12": ("service.ticket", 12), "service.ticket:7": ("service.ticket", 7)}


def test_old_references_become_typed_and_come_back(crm_databases):
    check_typed_timeline_round_trip(
        crm_databases,
        plugin="service",
        before="service@svc0008",
        old=OLD,
        foreign="service.ticket:9",
    )
