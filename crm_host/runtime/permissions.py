"""The permissions the runtime's routes and commands check (wired by the host's registry)."""

from __future__ import annotations

from crm_host.security.permissions import Permission

#: Declared by the host (``crm_register_permissions`` wiring is the host's).
RUNTIME_PERMISSIONS = [
    Permission("host.jobs.manage", "See background jobs and their progress; retry parked ones"),
    Permission("host.webhooks.manage", "Manage outgoing webhooks and their secrets"),
]
