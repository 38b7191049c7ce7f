"""The sales console pages, mounted by the host under ``/sales/`` behind the department gate.

The pipeline board (move a deal to another stage), the leads page (capture, move
along the status flow, convert) and the quotes. Forms post to the same services as
the API; a refusal comes back as a message at the top of the page, nothing
half-written. Every page is gated by ``page(permission)``.

Each module of this package adds the pages of one feature to the one blueprint of
:mod:`crm_sales.views.common`; importing them here assembles it.
"""

from __future__ import annotations

from crm_sales.views import leads, pipeline, pricing, quotes  # noqa: F401  (they add their pages)
from crm_sales.views.common import bp

__all__ = ["bp"]
