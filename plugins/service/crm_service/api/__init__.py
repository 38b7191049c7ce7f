"""The service REST API, mounted by the host under ``/api/v1/service/``: one module
per feature adding its routes to the blueprints of :mod:`.blueprint`, gathered here in
the order the API documents them.

Reading needs ``service.tickets.read``; changing a ticket needs
``service.tickets.write`` under its record rule (own = assigned to you, department
= in your department's queue); ticket types and SLA policies are administrators'
(``service.settings.manage``).
"""

from __future__ import annotations

from flask_smorest import Blueprint

# Each module adds its routes when imported; in this order, so a ticket's portal link
# comes after the ticket's other routes, as it always has.
# isort: off
from crm_service.api import tickets, types, sla, lookup, surveys, escalation, visits, kb, portal

# isort: on
from crm_service.api.blueprint import (
    kb_blp,
    lookup_blp,
    policies_blp,
    portal_blp,
    steps_blp,
    surveys_blp,
    tickets_blp,
    types_blp,
    visits_blp,
)

FEATURES = (tickets, types, sla, lookup, surveys, escalation, visits, kb, portal)


def blueprints() -> list[Blueprint]:
    """Every API blueprint of the plugin."""
    return [
        tickets_blp,
        types_blp,
        policies_blp,
        lookup_blp,
        surveys_blp,
        steps_blp,
        visits_blp,
        kb_blp,
        portal_blp,
    ]
