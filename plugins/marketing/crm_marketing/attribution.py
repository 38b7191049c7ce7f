"""What a campaign achieved: sends and responses, and the recipients' purchases after
their send (revenue, buyers and the ROI against its cost), from the host's
transaction union."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import utcnow
from crm_host.sdk.customers import transactions
from crm_marketing.models import Campaign, Send, SendResponse

#: How long after a send a purchase counts for the campaign.
ATTRIBUTION_WINDOW = timedelta(days=30)


def statistics(session: Session, campaign: Campaign) -> dict[str, int]:
    """Sends, skipped duplicates, and how many sends got each kind of response."""
    counts = dict(
        session.execute(
            sa.select(Send.duplicate, sa.func.count())
            .where(Send.campaign_id == campaign.id)
            .group_by(Send.duplicate)
        ).all()
    )
    rows = session.execute(
        sa.select(SendResponse.kind, sa.func.count())
        .join(Send, Send.id == SendResponse.send_id)
        .where(Send.campaign_id == campaign.id)
        .group_by(SendResponse.kind)
    )
    return {
        "sent": counts.get(False, 0),
        "duplicates": counts.get(True, 0),
        **{kind: n for kind, n in rows},
    }


def attribution_end(campaign: Campaign, *, window: timedelta = ATTRIBUTION_WINDOW) -> datetime:
    """Until when a purchase counts for the campaign: ``window`` after it finished."""
    return (campaign.finished_at or utcnow()) + window


def roi(campaign: Campaign, revenue: dict[str, Decimal]) -> list[dict[str, Any]]:
    """Revenue, cost and ROI, ``(revenue − cost) / cost``, per currency.

    The cost is in one currency; only revenue in that currency is set against it
    (converting would need a rate of the day nobody agreed on), so the other
    currencies show their revenue with neither cost nor ROI. No cost entered, or a
    cost of zero, gives no ROI.
    """
    currencies = sorted(
        set(revenue) | ({campaign.cost_currency} if campaign.cost_currency else set())
    )
    out = []
    for currency in currencies:
        earned = revenue.get(currency, Decimal("0"))
        cost = campaign.cost if currency == campaign.cost_currency else None
        ratio = None
        if cost is not None and cost > 0:
            ratio = ((earned - cost) / cost).quantize(Decimal("0.0001"))
        out.append({"currency": currency, "revenue": earned, "cost": cost, "roi": ratio})
    return out


def attributed_revenue(
    session: Session, campaign: Campaign, *, window: timedelta = ATTRIBUTION_WINDOW
) -> dict[str, Decimal]:
    """Spend of the campaign's recipients after their send, per currency.

    A purchase counts from the recipient's own send until ``window`` after the
    campaign finished sending — one bound for all, since SQLite cannot add an
    interval to a stored timestamp. Read from the host's transaction union in one
    query; a purchase after two campaigns counts for both (choosing one is a
    reporting decision, not this one's).
    """
    if campaign.launched_at is None:
        return {}
    until = attribution_end(campaign, window=window)
    tx = transactions(session)
    rows = session.execute(
        sa.select(tx.c.currency, sa.func.sum(tx.c.amount))
        .join(Send, Send.customer_id == tx.c.customer_id)
        .where(
            Send.campaign_id == campaign.id,
            Send.duplicate.is_(False),
            tx.c.occurred_at >= Send.sent_at,
            tx.c.occurred_at < until,
        )
        .group_by(tx.c.currency)
        .order_by(tx.c.currency)
    )
    return {currency: Decimal(total) for currency, total in rows}


def buyers(session: Session, campaign: Campaign) -> int:
    """Recipients who bought in the attribution window after their send: the
    campaign's conversions, read from the transaction union rather than reported."""
    if campaign.launched_at is None:
        return 0
    tx = transactions(session)
    return (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(Send.customer_id)))
            .join(tx, tx.c.customer_id == Send.customer_id)
            .where(
                Send.campaign_id == campaign.id,
                Send.duplicate.is_(False),
                tx.c.occurred_at >= Send.sent_at,
                tx.c.occurred_at < attribution_end(campaign),
            )
        )
        or 0
    )
