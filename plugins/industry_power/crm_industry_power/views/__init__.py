"""Console pages of the power pack (mounted by the host under ``/power/``): one
blueprint, its pages in one module per feature; :mod:`.shell` holds what the pack shows
elsewhere in the console (menu entries, dashboard KPIs, a 360° panel).
"""

from __future__ import annotations

# Importing a feature module adds its pages to ``bp``.
from crm_industry_power.views import accounts, advice, guarantees, inspections, report  # noqa: F401
from crm_industry_power.views.blueprint import bp

__all__ = ["bp"]
