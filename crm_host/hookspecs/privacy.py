"""Privacy hooks: a subject-access export of what a plugin holds about a customer."""

from __future__ import annotations

from typing import Any

from crm_host.hookspecs.marker import hookspec


@hookspec
def crm_customer_export(customer_id: int) -> dict[str, Any]:
    """Return everything the plugin holds about one customer, as JSON-ready data.

    Called for a subject-access export (``GET /api/v1/customers/<id>/privacy-export``), for every
    installed plugin. Return a dict of section name to rows (lists of dicts), or
    ``None`` when the plugin holds nothing about customers. Every plugin whose tables
    refer to customers must implement it (a contract test checks). Collecting.
    """
