"""The marketing plugin's tables: segments with their static members, RFM scores and
customer values, campaigns with one send row per customer and campaign and the SMS
outbox, and journeys.

Every table starts with ``marketing_``. Foreign keys point at host tables
(customers, users) but no relationship is added onto a host model; derived values
(RFM) live here and are joined in SQL, never written into the customer. One module
per aggregate; every model is importable from here.
"""

from crm_marketing.models.campaigns import (
    CAMPAIGN_STATUSES,
    CHANNELS,
    RESPONSES,
    Campaign,
    CampaignStatus,
    ResponseKind,
    Send,
    SendResponse,
    SmsMessage,
    Variant,
)
from crm_marketing.models.common import MONEY
from crm_marketing.models.journeys import (
    ENTRY_STATUSES,
    JOURNEY_STATUSES,
    JOURNEY_TRIGGERS,
    EntryStatus,
    Journey,
    JourneyAction,
    JourneyEntry,
    JourneyStatus,
    JourneyTrigger,
)
from crm_marketing.models.scores import CustomerValue, RfmScore, ValueModel
from crm_marketing.models.segments import SEGMENT_KINDS, Segment, SegmentKind, SegmentMember

__all__ = [
    "CAMPAIGN_STATUSES",
    "CHANNELS",
    "ENTRY_STATUSES",
    "JOURNEY_STATUSES",
    "JOURNEY_TRIGGERS",
    "MONEY",
    "RESPONSES",
    "SEGMENT_KINDS",
    "Campaign",
    "CampaignStatus",
    "CustomerValue",
    "EntryStatus",
    "Journey",
    "JourneyAction",
    "JourneyEntry",
    "JourneyStatus",
    "JourneyTrigger",
    "ResponseKind",
    "RfmScore",
    "Segment",
    "SegmentKind",
    "SegmentMember",
    "Send",
    "SendResponse",
    "SmsMessage",
    "ValueModel",
    "Variant",
]
