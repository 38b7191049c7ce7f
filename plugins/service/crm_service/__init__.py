"""The service plugin of crm-host: Tickets, SLA policies, queues, satisfaction, portal and knowledge base.

This module is the plugin's manifest and must stay free of side effects: the host
imports it to list the plugin before deciding whether to load anything else.
"""

from crm_host.sdk import Manifest

manifest = Manifest(
    name="service",
    slug="service",
    label="Service",
    label_zh="客户服务",
    version="0.1.0",
    host=">=0.1,<1",
    uses=(),
    description="Tickets, SLA policies, queues, satisfaction, portal and knowledge base.",
)
