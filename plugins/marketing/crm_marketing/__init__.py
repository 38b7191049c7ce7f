"""The marketing plugin of crm-host: Segments, campaigns, journeys and customer-value analytics.

This module is the plugin's manifest and must stay free of side effects: the host
imports it to list the plugin before deciding whether to load anything else.
"""

from crm_host.sdk import Manifest

manifest = Manifest(
    name="marketing",
    slug="marketing",
    label="Marketing",
    label_zh="市场营销",
    version="0.1.0",
    host=">=0.1,<1",
    uses=("sales", "service"),
    description="Segments, campaigns, journeys and customer-value analytics.",
)
