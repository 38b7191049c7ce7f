"""The power REST API, mounted by the host under ``/api/v1/power``: one blueprint, its
routes in one module per feature.

Every view declares its permission with the host's ``require``. Bad input is a 4xx
naming the field: marshmallow checks types and limits, the services the rules.
"""

from __future__ import annotations

# Importing a feature module adds its routes to ``blp``.
from crm_industry_power.api import (  # noqa: F401
    accounts,
    advice,
    bills,
    faults,
    guarantees,
    inspections,
    readings,
    report,
    tariffs,
)
from crm_industry_power.api.blueprint import blp

__all__ = ["blp"]
