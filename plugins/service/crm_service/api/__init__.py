"""The service REST API, mounted by the host under ``/api/v1/service/``: one module
per feature, each with its blueprint, gathered here in the order the API documents them.

Reading needs ``service.tickets.read``; changing a ticket needs
``service.tickets.write`` under its record rule (own = assigned to you, department
= in your department's queue); ticket types and SLA policies are administrators'
(``service.settings.manage``).
"""

from __future__ import annotations

from flask_smorest import Blueprint

from crm_service.api import escalation, kb, lookup, portal, sla, surveys, tickets, types, visits


def blueprints() -> list[Blueprint]:
    """Every API blueprint of the plugin."""
    return [
        tickets.tickets_blp,
        types.types_blp,
        sla.policies_blp,
        lookup.lookup_blp,
        surveys.surveys_blp,
        escalation.steps_blp,
        visits.visits_blp,
        kb.kb_blp,
        portal.portal_blp,
    ]
