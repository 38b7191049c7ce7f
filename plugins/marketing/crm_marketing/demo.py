"""Demo data of the marketing plugin: segments, a draft campaign, scored customers.

Runs after the plugins it ``uses`` seeded theirs, so RFM and lifetime value are
computed from the demo's orders exactly as the nightly refresh would.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import User
from crm_marketing import campaigns, lifetime_value, rfm, segments
from crm_marketing.lifetime_value import HistoryError
from crm_marketing.models import Segment

#: (name, description, rules)
SEGMENTS = (
    (
        "高价值客户 Best customers",
        "RFM 4–5 on frequency and spend",
        {
            "all": [
                {"field": "rfm_frequency", "op": "gte", "value": 4},
                {"field": "rfm_monetary", "op": "gte", "value": 4},
            ]
        },
    ),
    (
        "广东企业 Guangdong organisations",
        "Organisations in Guangdong",
        {
            "all": [
                {"field": "region", "op": "eq", "value": "广东省"},
                {"field": "kind", "op": "eq", "value": "organization"},
            ]
        },
    ),
    (
        "流失风险 At risk",
        "Bought before, unlikely to still be active",
        {"all": [{"field": "churn_risk", "op": "in", "value": ["high"]}]},
    ),
)


def seed(session: Session) -> list[str]:
    """Seed segments and a draft campaign and score every buyer, once; nothing when
    segments exist."""
    if session.scalar(sa.select(sa.func.count()).select_from(Segment)):
        return []
    marketer = session.scalar(sa.select(User).where(User.username == "marketing"))
    buyers = rfm.refresh(session)
    try:
        lifetime_value.refresh(session)
        valued = "lifetime value fitted"
    except HistoryError as error:
        # Too short a history for BG/NBD: the demo goes on, the page says why.
        valued = f"no lifetime value ({error})"
    created = [
        segments.create_segment(
            session,
            {"name": name, "description": description, "kind": "rules", "rules": rules},
            actor=marketer,
        )
        for name, description, rules in SEGMENTS
    ]
    campaigns.create_campaign(
        session,
        {
            "name": "春季回馈 Spring thank-you",
            "channel": "email",
            "segment_id": created[0].id,
            "subject": "{{ name }}，感谢您一年的支持",
            "body": "{{ name }}，您好：\n\n感谢您过去一年的信任，本月为您准备了专属优惠。\n",
        },
        actor=marketer,
    )
    return [
        f"Marketing: {len(created)} segments, 1 draft campaign, "
        f"{buyers} buyers scored (RFM), {valued}."
    ]
