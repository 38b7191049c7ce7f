"""The sales plugin of crm-host: Leads, opportunities, quotes, orders, forecasts and cross-sell.

This module is the plugin's manifest and must stay free of side effects: the host
imports it to list the plugin before deciding whether to load anything else.
"""

from crm_host.sdk import Manifest

manifest = Manifest(
    name="sales",
    slug="sales",
    label="Sales",
    label_zh="销售",
    version="0.1.0",
    host=">=0.1,<1",
    uses=(),
    description="Leads, opportunities, quotes, orders, forecasts and cross-sell.",
)
