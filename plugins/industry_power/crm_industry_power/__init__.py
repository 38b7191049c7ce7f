"""The industry_power plugin of crm-host: Load curves, energy-saving and grid-upgrade advice, key-customer equipment, fault repair.

This module is the plugin's manifest and must stay free of side effects: the host
imports it to list the plugin before deciding whether to load anything else.
"""

from crm_host.sdk import Manifest

manifest = Manifest(
    name="industry_power",
    slug="power",
    label="Power utility",
    label_zh="电力增值服务",
    version="0.1.0",
    host=">=0.1,<1",
    uses=("service",),
    description="Load curves, energy-saving and grid-upgrade advice, key-customer equipment, fault repair.",
)
