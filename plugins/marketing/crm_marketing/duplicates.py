"""Recipients sharing an address get one message: who keeps each address.

The lowest customer id sharing an address keeps it (or whoever this campaign already
sent to there); the send marks the others ``duplicate`` and sends them nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer
from crm_marketing import audience, channels
from crm_marketing.models import Campaign, Send


def normalised(consent: str, address: sa.ColumnElement[str | None]) -> sa.ColumnElement[str]:
    """The address as compared for duplicates, by the kind of address the channel's
    consent says it is: an email trimmed and in lower case; a phone number without
    spaces, hyphens, dots and ``+``, and without a leading 86 / 0086, as the host's
    :func:`crm_host.sdk.normalize_phone` keys duplicates; anything else trimmed."""
    if consent == "email":
        return sa.func.lower(sa.func.trim(address))
    if consent not in ("sms", "phone"):
        return sa.func.trim(address)
    digits = sa.func.trim(address)
    for mark in (" ", "-", ".", "+", "(", ")"):
        digits = sa.func.replace(digits, mark, "")
    length = sa.func.length(digits)
    return sa.case(
        (sa.and_(digits.like("0086%"), length >= 15), sa.func.substr(digits, 5)),
        (sa.and_(digits.like("86%"), length >= 13), sa.func.substr(digits, 3)),
        else_=digits,
    )


def keepers(session: Session, campaign: Campaign, ids: list[int]) -> dict[int, int]:
    """Customer id → who keeps its address, for ``ids``: the customer this campaign
    already sent to at that address, else the lowest recipient id sharing it (its own
    id when no recipient up to the batch's last shares it).

    Over the whole audience, not the batch: the keeper of an address may have been
    sent to in an earlier batch (or run).
    """
    if not ids:
        return {}
    channel = channels.get(session, campaign.channel)
    key = normalised(channel.consent, channel.address_column())
    keys = dict(session.execute(sa.select(Customer.id, key).where(Customer.id.in_(ids))).all())
    wanted = sorted({value for value in keys.values() if value is not None})
    if not wanted:
        return {customer_id: customer_id for customer_id in keys}
    # The customers holding a batch's addresses first, by the address alone: the
    # audience's conditions (the newest consent, the cap) are correlated subqueries,
    # and PostgreSQL evaluated them for every customer of the table once a batch.
    holders = dict(session.execute(sa.select(Customer.id, key).where(key.in_(wanted))).all())
    # A keeper above the batch's last id keeps nobody in it.
    sharing = [customer_id for customer_id in holders if customer_id <= max(ids)]
    first = dict(
        session.execute(
            audience.recipients(session, campaign)
            .with_only_columns(key, sa.func.min(Customer.id))
            # Rendered inline: many customers may share one address, more than a
            # statement's parameters allow on SQLite.
            .where(
                Customer.id.in_(
                    sa.bindparam("sharing", sharing, expanding=True, literal_execute=True)
                )
            )
            .group_by(key)
        ).all()
    )
    # An address this campaign already sent to is taken, whoever the audience holds now:
    # its keeper, once messaged, may have left the audience (a cap of one message).
    # Looked up among the holders by (campaign, customer), not over the campaign's sends.
    sent = session.scalars(
        sa.select(Send.customer_id).where(
            Send.campaign_id == campaign.id,
            Send.duplicate.is_(False),
            Send.customer_id.in_(
                sa.bindparam("holders", list(holders), expanding=True, literal_execute=True)
            ),
        )
    )
    sent_by: dict[str, int] = {}
    for customer_id in sent:
        value = holders[customer_id]
        sent_by[value] = min(customer_id, sent_by.get(value, customer_id))
    return {
        customer_id: sent_by.get(value, first.get(value, customer_id))
        for customer_id, value in keys.items()
    }
