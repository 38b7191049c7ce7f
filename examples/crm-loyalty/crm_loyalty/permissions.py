"""The permissions the loyalty plugin declares and checks."""

from __future__ import annotations

from crm_host.sdk import Permission

# Named <slug>.<object>.<action>: the standard roles grant *.read and *.write.
POINTS_READ = "loyalty.points.read"
POINTS_WRITE = "loyalty.points.write"

PERMISSIONS = [
    Permission(POINTS_READ, "See loyalty balances and their movements"),
    Permission(POINTS_WRITE, "Award and redeem loyalty points"),
]
