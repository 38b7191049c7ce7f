"""Console pages of the service plugin, mounted by the host under ``/service/``: one
module per feature, each adding its pages to the one blueprint of :mod:`.blueprint`.

Each page is gated by ``@page(permission)``; pages that change a ticket apply its
record rule too. What the plugin shows elsewhere in the console (its menu entry, a
360° panel, dashboard KPIs) is in :mod:`.console`.
"""

from __future__ import annotations

# Each module adds its pages to ``bp`` when imported, in this order.
# isort: off
from crm_service.views import tickets, satisfaction, visits, kb, escalation

# isort: on
from crm_service.views.blueprint import bp

FEATURES = (tickets, satisfaction, visits, kb, escalation)

__all__ = ["FEATURES", "bp"]
