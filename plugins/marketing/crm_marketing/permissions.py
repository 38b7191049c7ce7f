"""The permissions the marketing plugin declares and checks."""

from __future__ import annotations

from crm_host.sdk import Permission

SEGMENTS_READ = "marketing.segments.read"
SEGMENTS_WRITE = "marketing.segments.write"
CAMPAIGNS_READ = "marketing.campaigns.read"
CAMPAIGNS_WRITE = "marketing.campaigns.write"
RFM_READ = "marketing.rfm.read"
RFM_WRITE = "marketing.rfm.write"

PERMISSIONS = [
    Permission(SEGMENTS_READ, "See segments, their rules and who is in them"),
    Permission(SEGMENTS_WRITE, "Create and change segments and static lists"),
    Permission(CAMPAIGNS_READ, "See campaigns, their sends and responses"),
    Permission(
        CAMPAIGNS_WRITE, "Draft, launch and cancel campaigns; record responses and opt-outs"
    ),
    Permission(RFM_READ, "See RFM scores and the grid"),
    Permission(RFM_WRITE, "Recompute RFM scores"),
]
