"""The sales REST API, mounted by the host under ``/api/v1/sales``.

Every view declares its permission with the host's ``require``; views working on one
lead or opportunity also apply the record rule (own / department / all) to it.

Each module of this package adds the routes of one feature to the one blueprint of
:mod:`crm_sales.api.common`; importing them here assembles it.
"""

from __future__ import annotations

from crm_sales.api import (  # noqa: F401  (each module adds its routes to the blueprint)
    activities,
    assignment,
    crosssell,
    forecast,
    leads,
    opportunities,
    orders,
    pricing,
    quotes,
    scoring,
    stages,
)
from crm_sales.api.common import blp

__all__ = ["blp"]
