"""What recipients do with a campaign: responses on the timeline, and unsubscribing.

Both are idempotent — a click reported twice, an unsubscribe link opened twice —
because mail gateways and browsers repeat themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crm_host.sdk import Customer, NotFound, User, ValidationFailed, read_token, timeline, utcnow
from crm_host.sdk.customers import current_consents, record_consent
from crm_marketing import channels
from crm_marketing.links import UNSUBSCRIBE
from crm_marketing.models import RESPONSES, Campaign, Send, SendResponse
from crm_marketing.objects import CAMPAIGN_OBJECT


def send_of(session: Session, campaign_id: int, customer_id: int) -> Send:
    """The send of a campaign to a customer, or :class:`NotFound`."""
    send = session.query(Send).filter_by(campaign_id=campaign_id, customer_id=customer_id).first()
    if send is None:
        raise NotFound(f"campaign {campaign_id} was not sent to customer {customer_id}")
    return send


def record_response(
    session: Session,
    send: Send,
    kind: str,
    *,
    occurred_at: datetime | None = None,
    actor: User | None = None,
) -> bool:
    """Record that the recipient ``kind``-ed (opened, clicked…); returns whether it was new.

    The send keeps the latest response; each new kind is one row of the send's
    funnel (``marketing_send_responses``) and one timeline entry.
    """
    if kind not in RESPONSES:
        raise ValidationFailed(
            "unknown response", details={"kind": ["Must be one of: " + ", ".join(RESPONSES) + "."]}
        )
    # The idempotency key: marketing's own, opaque to everyone else on the timeline.
    reference = f"marketing_send:{send.id}:{kind}"
    from crm_host.sdk import Interaction

    if session.get(SendResponse, (send.id, kind)) is not None:
        return False
    # Responses recorded before the funnel table existed are on the timeline only.
    seen = session.query(Interaction.id).filter_by(reference=reference).first()
    if seen is not None:
        return False
    when = occurred_at or utcnow()
    session.add(SendResponse(send_id=send.id, kind=kind, occurred_at=when))
    send.response = kind
    send.responded_at = when
    campaign = session.get(Campaign, send.campaign_id)
    name = campaign.name if campaign else str(send.campaign_id)
    timeline.add_entry(
        session,
        customer_id=send.customer_id,
        channel="campaign",
        direction="inbound",
        subject=f"Campaign {name}: {kind}"[:300],
        source_plugin="marketing",
        occurred_at=when,
        author=actor,
        reference=reference,
        about=(CAMPAIGN_OBJECT, send.campaign_id),
    )
    session.flush()
    return True


def unsubscribe(session: Session, token: str) -> Send:
    """Withdraw the consent of the channel a send used, from its signed link.

    Records the decision in the host's consent history (newest wins) and the
    response on the timeline; opening the link again changes nothing.
    Raises :class:`crm_host.sdk.LinkError` for a bad or expired token.
    """
    payload = read_token(UNSUBSCRIBE, token)
    send = session.get(Send, payload.get("send")) if isinstance(payload.get("send"), int) else None
    if send is None:
        raise NotFound("this link points at a message that no longer exists")
    campaign = session.get(Campaign, send.campaign_id)
    # Withdraw the consent that let the message through: a plugin's channel names its own.
    offered = channels.available(session)
    name = campaign.channel if campaign else "email"
    channel = offered[name].consent if name in offered else name
    customer = session.get(Customer, send.customer_id)
    if customer is not None and current_consents(session, customer.id).get(channel) is not False:
        record_consent(
            session,
            customer,
            channel=channel,
            granted=False,
            source=f"marketing: unsubscribe link of campaign {send.campaign_id}",
        )
    record_response(session, send, "unsubscribed")
    return send
