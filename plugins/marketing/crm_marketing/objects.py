"""The marketing objects the host's shared services address: campaigns and segments.

Neither has an owner or a department: holding the permission decides, as on their
routes.
"""

from __future__ import annotations

from crm_host.sdk import ObjectRegistry
from crm_marketing.models import Campaign, Segment
from crm_marketing.permissions import (
    CAMPAIGNS_READ,
    CAMPAIGNS_WRITE,
    SEGMENTS_READ,
    SEGMENTS_WRITE,
)

#: The registered type of a campaign: what a send's and a response's timeline
#: entries are about.
CAMPAIGN_OBJECT = "marketing.campaign"


def register(registry: ObjectRegistry) -> None:
    """Register ``marketing.campaign`` and ``marketing.segment``."""
    registry.add(
        "campaign",
        Campaign,
        read=CAMPAIGNS_READ,
        write=CAMPAIGNS_WRITE,
        label="Campaign",
        title=Campaign.name,
        console_url="/marketing/campaigns/{id}",
        api_url="/api/v1/marketing/campaigns/{id}",
        searchable=(Campaign.name,),
    )
    registry.add(
        "segment",
        Segment,
        read=SEGMENTS_READ,
        write=SEGMENTS_WRITE,
        label="Segment",
        title=Segment.name,
        console_url="/marketing/segments/{id}",
        api_url="/api/v1/marketing/segments/{id}",
        searchable=(Segment.name,),
    )
