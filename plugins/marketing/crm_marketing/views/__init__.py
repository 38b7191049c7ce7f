"""The marketing console, mounted by the host under ``/marketing/`` behind the department gate.

The segment builder asks for its live count with htmx (``hx-get`` on the form) from
:func:`segment_count`, which answers a fragment; charts are fed by JSON endpoints
through the host's chart helper.
"""

from crm_marketing.views.blueprint import bp

# Each module adds its pages to ``bp`` when imported.
# isort: off
from crm_marketing.views import segments, campaigns, rfm, value, journeys
# isort: on

FEATURES = (segments, campaigns, rfm, value, journeys)

__all__ = ["FEATURES", "bp"]
