"""The loyalty console, mounted by the host under ``/loyalty/`` behind the department gate.

Each module of this package adds the pages of one feature to the one blueprint of
:mod:`crm_loyalty.views.blueprint`; importing them here assembles it.
"""

from crm_loyalty.views import leaders  # noqa: F401  (adds its pages to the blueprint)
from crm_loyalty.views.blueprint import bp

__all__ = ["bp"]
