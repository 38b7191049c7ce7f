"""The loyalty REST API, mounted by the host under ``/api/v1/loyalty/`` behind the
department gate. Every view declares its permission with the host's ``require``.

Each module of this package adds the routes of one feature to the one blueprint of
:mod:`crm_loyalty.api.blueprint`; importing them here assembles it.
"""

from crm_loyalty.api import points  # noqa: F401  (adds its routes to the blueprint)
from crm_loyalty.api.blueprint import blp

__all__ = ["blp"]
