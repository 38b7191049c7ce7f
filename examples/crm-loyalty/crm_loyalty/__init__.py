"""Loyalty points for a retailer: a crm-host plugin distributed on its own.

Every new customer gets a welcome bonus; won sales deals earn points when the sales
plugin is installed (it is in ``uses``, not ``requires``); staff award and redeem
points over the API, the console and the command line.

This module is the plugin's manifest and must stay free of side effects: the host
imports it to list the plugin before deciding whether to load anything else.
"""

from crm_host.sdk import Manifest

manifest = Manifest(
    name="loyalty",
    slug="loyalty",
    label="Loyalty points",
    label_zh="会员积分",
    version="0.1.0",
    host=">=0.1,<1",
    requires=(),
    uses=("sales",),
    description="Loyalty points for a retailer: welcome bonus, points for won deals, redemption.",
)
