"""Console pages of the service plugin, mounted by the host under ``/service/``: one
module per feature, their pages gathered here on the plugin's one console blueprint.

Each page is gated by ``@page(permission)`` where it is defined; pages that change a
ticket apply its record rule too. What the plugin shows elsewhere in the console (its
menu entry, a 360° panel, dashboard KPIs) is in :mod:`.console`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from crm_service.views import escalation, kb, satisfaction, tickets, visits

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")

#: (rule, view, methods): the endpoint of each page is its view's name.
PAGES: tuple[tuple[str, Callable[..., Any], tuple[str, ...]], ...] = (
    ("/", tickets.queue, GET),
    ("/tickets/new", tickets.new_ticket, BOTH),
    ("/tickets/<id:ticket_id>", tickets.ticket, GET),
    ("/tickets/<id:ticket_id>/claim", tickets.claim, POST),
    ("/tickets/<id:ticket_id>/status", tickets.change_status, POST),
    ("/tickets/<id:ticket_id>/messages", tickets.add_message, POST),
    ("/satisfaction", satisfaction.satisfaction, GET),
    ("/satisfaction/chart", satisfaction.satisfaction_chart, GET),
    ("/return-visits", visits.return_visits, GET),
    ("/return-visits/<id:visit_id>", visits.record_visit, POST),
    ("/kb", kb.kb_list, GET),
    ("/kb/suggest", kb.kb_suggest, GET),
    ("/kb/<id:article_id>", kb.kb_article, GET),
    ("/kb/new", kb.kb_new, BOTH),
    ("/kb/<id:article_id>/edit", kb.kb_edit, BOTH),
    ("/escalation", escalation.escalation_chain, GET),
    ("/escalation/new", escalation.escalation_new, POST),
    ("/escalation/<id:step_id>", escalation.escalation_edit, BOTH),
)

bp = Blueprint("console", __name__, template_folder="../templates")
for rule, view, methods in PAGES:
    bp.add_url_rule(rule, view_func=view, methods=list(methods))
