"""The marketing REST API, mounted by the host under ``/api/v1/marketing``.

Every view declares its permission with the host's ``require``; the services do the
checking and raise the host's errors, which become 4xx answers naming the field. One
blueprint: each feature module adds its routes to it, in the order imported here.
"""

from crm_marketing.api.blueprint import blp

# Each module adds its routes to ``blp`` when imported; in this order, so the API
# document lists segments first, as it always has.
# isort: off
from crm_marketing.api import segments, campaigns, rfm, value, journeys
# isort: on

FEATURES = (segments, campaigns, rfm, value, journeys)

__all__ = ["FEATURES", "blp"]
