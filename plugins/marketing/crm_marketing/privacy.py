"""What the marketing plugin does when customers are merged, erased or exported.

Responses belong to their send and go where it goes (or with it); A/B variants and
costs belong to the campaign and hold nothing about a customer.

Static-list memberships, RFM scores, lifetime values, journey places and sends point at customers. A merge moves
them to the survivor (where both were on a list or got the same campaign, the
survivor's row stays: it is one person); an erasure blanks addresses and message
text and takes the customer off every list and out of the scores, values and journeys; an export lists
all of it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import jsonable
from crm_marketing.models import (
    CustomerValue,
    JourneyEntry,
    RfmScore,
    SegmentMember,
    Send,
    SendResponse,
    SmsMessage,
)

ERASED = "[erased]"


def move_references(session: Session, survivor_id: int, merged_id: int) -> None:
    """Point every marketing row of ``merged_id`` at ``survivor_id``."""
    both_lists = sa.select(SegmentMember.segment_id).where(SegmentMember.customer_id == survivor_id)
    session.execute(
        sa.delete(SegmentMember).where(
            SegmentMember.customer_id == merged_id, SegmentMember.segment_id.in_(both_lists)
        )
    )
    session.execute(
        sa.update(SegmentMember)
        .where(SegmentMember.customer_id == merged_id)
        .values(customer_id=survivor_id)
    )
    # Two customers sharing an address are often one person: where the survivor's
    # send was the skipped duplicate of the merged one's, the merged one's went out.
    went_out = sa.select(Send.campaign_id).where(
        Send.customer_id == merged_id, Send.duplicate.is_(False)
    )
    session.execute(
        sa.delete(Send).where(
            Send.customer_id == survivor_id,
            Send.duplicate.is_(True),
            Send.campaign_id.in_(went_out),
        )
    )
    both_sent = sa.select(Send.campaign_id).where(Send.customer_id == survivor_id)
    session.execute(
        sa.delete(Send).where(Send.customer_id == merged_id, Send.campaign_id.in_(both_sent))
    )
    session.execute(
        sa.update(Send).where(Send.customer_id == merged_id).values(customer_id=survivor_id)
    )
    # The scores are derived: the merged one's figures come back on the survivor at
    # the next refresh, once the transactions have moved too.
    session.execute(sa.delete(RfmScore).where(RfmScore.customer_id == merged_id))
    session.execute(sa.delete(CustomerValue).where(CustomerValue.customer_id == merged_id))
    # One place per journey: where both walked one, the survivor's place stays.
    both_walk = sa.select(JourneyEntry.journey_id).where(JourneyEntry.customer_id == survivor_id)
    session.execute(
        sa.delete(JourneyEntry).where(
            JourneyEntry.customer_id == merged_id, JourneyEntry.journey_id.in_(both_walk)
        )
    )
    session.execute(
        sa.update(JourneyEntry)
        .where(JourneyEntry.customer_id == merged_id)
        .values(customer_id=survivor_id)
    )


def erase(session: Session, customer_id: int) -> None:
    """Take the customer off every list and out of the scores; blank where messages went."""
    session.execute(sa.delete(SegmentMember).where(SegmentMember.customer_id == customer_id))
    session.execute(sa.delete(RfmScore).where(RfmScore.customer_id == customer_id))
    session.execute(sa.delete(CustomerValue).where(CustomerValue.customer_id == customer_id))
    session.execute(sa.delete(JourneyEntry).where(JourneyEntry.customer_id == customer_id))
    sends = sa.select(Send.id).where(Send.customer_id == customer_id)
    session.execute(
        sa.update(SmsMessage)
        .where(SmsMessage.send_id.in_(sends))
        .values(to_number=None, text=ERASED)
    )
    session.execute(sa.update(Send).where(Send.customer_id == customer_id).values(address=None))


def _rows(session: Session, model: Any, condition: Any, order: Any) -> list[dict[str, Any]]:
    columns = model.__table__.columns
    return [
        {c.key: jsonable(getattr(row, c.key)) for c in columns}
        for row in session.scalars(sa.select(model).where(condition).order_by(order))
    ]


def export(session: Session, customer_id: int) -> dict[str, Any] | None:
    """Lists, scores, sends and SMS texts of the customer; ``None`` when there are none."""
    sends = sa.select(Send.id).where(Send.customer_id == customer_id)
    data = {
        "segment_memberships": _rows(
            session,
            SegmentMember,
            SegmentMember.customer_id == customer_id,
            SegmentMember.segment_id,
        ),
        "rfm": _rows(session, RfmScore, RfmScore.customer_id == customer_id, RfmScore.customer_id),
        "lifetime_value": _rows(
            session,
            CustomerValue,
            CustomerValue.customer_id == customer_id,
            CustomerValue.customer_id,
        ),
        "journeys": _rows(
            session, JourneyEntry, JourneyEntry.customer_id == customer_id, JourneyEntry.id
        ),
        "sends": _rows(session, Send, Send.customer_id == customer_id, Send.id),
        "responses": _rows(
            session, SendResponse, SendResponse.send_id.in_(sends), SendResponse.send_id
        ),
        "sms": _rows(session, SmsMessage, SmsMessage.send_id.in_(sends), SmsMessage.id),
    }
    return data if any(data.values()) else None
