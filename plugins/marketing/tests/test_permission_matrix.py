"""Every marketing API route answers every department × role as its permission promises."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from crm_marketing import campaigns, journeys, segments, sending
from crm_marketing.models import CustomerValue, RfmScore, Send

from crm_host.sdk import User, utcnow
from crm_host.sdk.customers import customer_service as customers
from crm_host.testing.matrix import ObjectRef, PermissionMatrix, api_routes, matrix_users

CITY = {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}


def _serial(session: sa.orm.Session) -> int:
    serial = session.info.setdefault("marketing_matrix_serial", [0])
    serial[0] += 1
    return serial[0]


def _customer(session: sa.orm.Session) -> int:
    n = _serial(session)
    return customers.create_customer(
        session, {"code": f"MMX{n:06d}", "name": f"营销矩阵{n}", "kind": "person", "city": "苏州"}
    ).id


def _segment(session: sa.orm.Session) -> int:
    return segments.create_segment(
        session, {"name": f"矩阵名单{_serial(session)}", "kind": "static"}
    ).id


def make_segment(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A static list no campaign uses (so it can be changed and deleted)."""
    return ObjectRef(_segment(session))


def make_campaign(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A draft email campaign to a list of its own."""
    campaign = campaigns.create_campaign(
        session,
        {
            "name": "矩阵活动",
            "channel": "email",
            "segment_id": _segment(session),
            "subject": "你好",
            "body": "{{ name }}，你好",
        },
    )
    return ObjectRef(campaign.id)


def make_journey(session: sa.orm.Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A draft journey on a list of its own: tag whoever joins."""
    journey = journeys.create_journey(
        session,
        {
            "name": f"矩阵旅程{_serial(session)}",
            "trigger": "segment",
            "segment_id": _segment(session),
            "steps": [{"tag": {"name": "矩阵"}}],
        },
    )
    return ObjectRef(journey.id)


def make_scored_customer(
    session: sa.orm.Session, objects: dict[str, ObjectRef], user: User
) -> ObjectRef:
    """A customer with RFM scores and a lifetime value."""
    customer_id = _customer(session)
    session.add(
        RfmScore(
            customer_id=customer_id,
            last_purchase_at=utcnow() - timedelta(days=3),
            frequency=2,
            monetary=Decimal("88.00"),
            currency="CNY",
            r_score=5,
            f_score=3,
            m_score=2,
        )
    )
    session.add(
        CustomerValue(
            customer_id=customer_id,
            currency="CNY",
            frequency=1,
            recency_weeks=2.0,
            age_weeks=5.0,
            average_spend=Decimal("44.00"),
            p_alive=0.8,
            expected_purchases=1.5,
            expected_value=Decimal("66.00"),
            churn_risk="low",
        )
    )
    return ObjectRef(customer_id)


def _sent_to(session: sa.orm.Session, campaign_id: int) -> Send:
    send = Send(campaign_id=campaign_id, customer_id=_customer(session), address="m@example.com")
    session.add(send)
    session.flush()
    return send


def _unsubscribe_token(session: sa.orm.Session) -> str:
    campaign_id = make_campaign(session, {}, None).id  # type: ignore[arg-type]
    return sending.unsubscribe_token(_sent_to(session, int(campaign_id)))


def _tested(session: sa.orm.Session, campaign_id: int) -> str:
    """Turn the draft into an A/B test that went to its share; the winner's name."""
    from crm_marketing import variants
    from crm_marketing.models import Campaign

    campaign = session.get(Campaign, campaign_id)
    variants.replace(
        session,
        campaign,
        [
            {"name": "A", "subject": "甲", "body": "一", "weight": 50},
            {"name": "B", "subject": "乙", "body": "二", "weight": 50},
        ],
    )
    campaign.test_share, campaign.status = 20, "tested"
    session.flush()
    return "A"


MARKETING_FACTORIES = {
    "segment_id": make_segment,
    "campaign_id": make_campaign,
    "customer_id": make_scored_customer,
    "journey_id": make_journey,
}


def _payload(build):
    def payload(session: sa.orm.Session, objects: dict[str, ObjectRef], n: int) -> dict[str, Any]:
        return build(session, objects, n)

    return payload


MARKETING_PAYLOADS = {
    ("marketing_api.Segments", "POST"): _payload(
        lambda s, o, n: {"name": f"矩阵分群{n}", "rules": CITY}
    ),
    ("marketing_api.SegmentResource", "PATCH"): _payload(lambda s, o, n: {"description": "改"}),
    ("marketing_api.RulesPreview", "POST"): _payload(lambda s, o, n: {"rules": CITY}),
    ("marketing_api.SegmentMembers", "POST"): _payload(
        lambda s, o, n: {"customer_ids": [_customer(s)]}
    ),
    ("marketing_api.SegmentMembers", "DELETE"): _payload(
        lambda s, o, n: {"customer_ids": [_customer(s)]}
    ),
    ("marketing_api.Campaigns", "POST"): _payload(
        lambda s, o, n: {
            "name": f"活动{n}",
            "channel": "sms",
            "segment_id": _segment(s),
            "body": "{{ name }}，你好",
        }
    ),
    ("marketing_api.CampaignResource", "PATCH"): _payload(lambda s, o, n: {"subject": "改"}),
    ("marketing_api.CampaignResponses", "POST"): _payload(
        lambda s, o, n: {
            "customer_id": _sent_to(s, int(o["campaign_id"].id)).customer_id,
            "kind": "opened",
        }
    ),
    ("marketing_api.Unsubscribes", "POST"): _payload(
        lambda s, o, n: {"token": _unsubscribe_token(s)}
    ),
    ("marketing_api.CampaignWinner", "POST"): _payload(
        lambda s, o, n: {"variant": _tested(s, int(o["campaign_id"].id))}
    ),
    ("marketing_api.RfmRefresh", "POST"): _payload(lambda s, o, n: {}),
    ("marketing_api.ValueRefresh", "POST"): _payload(lambda s, o, n: {"horizon_days": 90}),
    ("marketing_api.WinBack", "POST"): _payload(lambda s, o, n: {"risks": ["high"]}),
    ("marketing_api.Journeys", "POST"): _payload(
        lambda s, o, n: {
            "name": f"旅程{n}",
            "trigger": "event",
            "event": "crm_service_ticket_resolved",
            "steps": [{"wait": {"days": 1}}],
        }
    ),
    ("marketing_api.JourneyResource", "PATCH"): _payload(lambda s, o, n: {"status": "paused"}),
}


def test_marketing_routes_answer_every_role_as_promised(app, db):
    routes = [r for r in api_routes(app) if r.plugin == "marketing"]
    assert len(routes) >= 20
    users = matrix_users(db)
    findings = PermissionMatrix(
        app, db, users, MARKETING_FACTORIES, MARKETING_PAYLOADS, routes=routes
    ).run()
    assert "\n".join(map(str, findings)) == ""
