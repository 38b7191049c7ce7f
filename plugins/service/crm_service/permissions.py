"""The permissions the service plugin checks: ``*.read``/``*.write`` roles reach the
first three, ``service.settings.manage`` is left to administrators."""

from __future__ import annotations

from crm_host.sdk import Permission

READ = "service.tickets.read"
WRITE = "service.tickets.write"
LOOKUP = "service.lookup.read"
MANAGE = "service.settings.manage"

PERMISSIONS = (
    Permission(READ, "See tickets, their messages and SLA clocks"),
    Permission(WRITE, "Open, change, claim, assign and answer tickets", record_rules=True),
    Permission(LOOKUP, "Look up callers by phone number"),
    Permission(MANAGE, "Define ticket types and SLA policies"),
)
