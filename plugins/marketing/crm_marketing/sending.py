"""The send job: a campaign's messages in resumable batches, each customer exactly once.

Each batch runs in its own transaction (the host's :meth:`JobContext.run_batches`):
the send rows, the messages put in the outbox, the timeline entries and the job's
cursor commit together. A batch writes in bulk: its send rows with one INSERT …
RETURNING (their ids go into the signed links), then every message is rendered and
handed to the channel's adapter, and the built-in adapters' outbox rows and the
timeline entries go in with one executemany each — a statement per batch and table
instead of a flush per message. A crash loses the batch in flight whole and the retry
resumes after the last committed one; the unique (campaign, customer) pair of
``marketing_sends`` refuses a second send should two workers ever race.

Two recipients sharing an address (an email in any letter case, a phone number
however spaced) get one message: the lowest customer id keeps it, and the others get
a send row marked ``duplicate`` with no message, so the skip is counted and stays
decided when a batch is resumed. A recipient's A/B variant is drawn by
:func:`crm_marketing.variants.choose`, a pure function of the two ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Batch,
    Customer,
    emit,
    make_token,
    queue_email,
    queue_emails,
    timeline,
    utcnow,
)
from crm_marketing import campaigns, channels, templates_engine, tracking, variants
from crm_marketing.models import Campaign, Send, SmsMessage, Variant

#: Recipients a batch: big enough that its few statements, not their round trips,
#: dominate; small enough that a crash loses a moment's work.
BATCH_SIZE = 1000
UNSUBSCRIBE = "marketing.unsubscribe"
#: How long an unsubscribe link works: as long as signed links may live.
LINK_LIFETIME = timedelta(days=366)


def unsubscribe_token(send: Send) -> str:
    """The signed token of a send's unsubscribe link."""
    return make_token(UNSUBSCRIBE, {"send": send.id}, expires_in=LINK_LIFETIME)


def unsubscribe_url(token: str) -> str:
    """Where the recipient clicks: the host's signed-link page (under ``PUBLIC_URL``,
    the address the console is reached at), or ``MARKETING_UNSUBSCRIBE_URL`` followed
    by the token when a public site of the company's own handles it."""
    prefix = current_app.config.get("MARKETING_UNSUBSCRIBE_URL")
    if not prefix:
        public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
        prefix = f"{public}/l/{UNSUBSCRIBE}/"
    return prefix + token


def message_of(session: Session, campaign: Campaign, send: Send) -> tuple[str, str]:
    """The subject and body templates of a send: its variant's, or the campaign's own."""
    variant = session.get(Variant, send.variant_id) if send.variant_id else None
    if variant is not None:
        return variant.subject, variant.body
    return campaign.subject, campaign.body


class Outbox:
    """The messages the built-in adapters are handed during one send, written together
    when every message of the batch is rendered: one executemany a table."""

    def __init__(self) -> None:
        self.emails: list[dict[str, Any]] = []
        self.sms: list[dict[str, Any]] = []

    def write(self, session: Session) -> None:
        """Insert what was collected (emails through the host's outbox rules)."""
        queue_emails(session, self.emails)
        if self.sms:
            session.execute(sa.insert(SmsMessage), self.sms)
        self.emails, self.sms = [], []


#: Where a send keeps its :class:`Outbox` while it calls the adapters (``session.info``).
OUTBOX = "crm_marketing.outbox"


def _deliver_email(
    session: Session, campaign: Campaign, send: Send, context: dict[str, Any]
) -> None:
    subject, body = message_of(session, campaign, send)
    text = templates_engine.render(body, context)
    if "unsubscribe_url" not in body:
        # Every marketing email carries a way out, whether the author wrote one or not.
        text += f"\n\n--\n{context['unsubscribe_url']}"
    email = {
        "to": send.address or "",
        "subject": templates_engine.render(subject, context).strip()[:300],
        "text": text,
        # The HTML part carries the open pixel; the text part stays for plain readers.
        "html": tracking.html_of(text, tracking.open_url(send)),
    }
    outbox: Outbox | None = session.info.get(OUTBOX)
    if outbox is None:  # called outside a send, by a deployment's own code: queue it now
        queue_email(session, **email)
    else:
        outbox.emails.append(email)


def _deliver_sms(session: Session, campaign: Campaign, send: Send, context: dict[str, Any]) -> None:
    text = templates_engine.render(message_of(session, campaign, send)[1], context)
    sms = {"send_id": send.id, "to_number": send.address, "text": text}
    outbox: Outbox | None = session.info.get(OUTBOX)
    if outbox is None:
        session.add(SmsMessage(**sms))
    else:
        outbox.sms.append(sms)


#: How the built-in channels hand a message over: outbox tables that commit with the
#: batch; a gateway that sends them is one more job reading the outbox. A deployment
#: may swap one (tests do); plugins' channels bring their adapter with them.
ADAPTERS: dict[str, Callable[[Session, Campaign, Send, dict[str, Any]], None]] = {
    "email": _deliver_email,
    "sms": _deliver_sms,
}


def builtin(name: str) -> Callable[[Session, Campaign, Send, dict[str, Any]], None]:
    """The adapter of a built-in channel, looked up in :data:`ADAPTERS` when it runs."""

    def deliver(session: Session, campaign: Campaign, send: Send, context: dict[str, Any]) -> None:
        ADAPTERS[name](session, campaign, send, context)

    return deliver


def normalised(consent: str, address: sa.ColumnElement[str | None]) -> sa.ColumnElement[str]:
    """The address as compared for duplicates, by the kind of address the channel's
    consent says it is: an email trimmed and in lower case; a phone number without
    spaces, hyphens, dots and ``+``, and without a leading 86 / 0086, as the host's
    :func:`crm_host.core.text.normalize_phone` keys duplicates; anything else trimmed."""
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


def _keepers(session: Session, campaign: Campaign, ids: list[int]) -> dict[int, int]:
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
            campaigns.recipients(session, campaign)
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


#: A recipient row: customer id, code, name, city, region, address.
Row = Sequence[Any]


def _insert_sends(
    session: Session, campaign: Campaign, plan: list[tuple[Row, Variant | None, bool]]
) -> list[Send]:
    """The send rows of ``plan`` — (recipient row, variant, duplicate) — in one multi-row
    INSERT … RETURNING, as persistent objects in ``plan``'s order.

    A duplicate's row (a lower id shares the address) records the skip: no message
    goes out for it, and a resumed batch does not reconsider it.
    """
    if not plan:
        return []
    # Matched back by customer, unique in a campaign: asking the database to return
    # the rows in parameter order makes SQLite insert them one statement each.
    inserted = {
        send.customer_id: send
        for send in session.scalars(
            sa.insert(Send).returning(Send),
            [
                {
                    "campaign_id": campaign.id,
                    "customer_id": row[0],
                    "address": row[-1],
                    "variant_id": variant.id if variant is not None else None,
                    "duplicate": duplicate,
                }
                for row, variant, duplicate in plan
            ],
        )
    }
    return [inserted[row[0]] for row, _variant, _duplicate in plan]


def _deliver(session: Session, campaign: Campaign, messages: list[tuple[Send, Row]]) -> None:
    """Each message through its channel's adapter, then the built-in outboxes and the
    timeline entries written in bulk, all in the caller's transaction."""
    if not messages:
        return
    channel = channels.get(session, campaign.channel)
    outbox = Outbox()
    outer = session.info.get(OUTBOX)
    session.info[OUTBOX] = outbox
    try:
        for send, (_customer_id, code, name, city, region, _to) in messages:
            context = {
                "name": name,
                "code": code,
                "city": city,
                "region": region,
                "unsubscribe_url": unsubscribe_url(unsubscribe_token(send)),
                # {{ track("https://…") }}: this recipient's signed, counted link to the address.
                "track": partial(tracking.click_url, send),
            }
            channel.deliver(session, campaign, send, context)
    finally:
        # An adapter that raises leaves nothing collected behind: the batch rolls back.
        if outer is None:
            session.info.pop(OUTBOX, None)
        else:
            session.info[OUTBOX] = outer
    outbox.write(session)
    subject = f"Campaign {campaign.name} ({campaign.channel})"[:300]
    timeline.add_entries(
        session,
        (
            {
                "customer_id": send.customer_id,
                "channel": "campaign",
                "direction": "outbound",
                "subject": subject,
                "source_plugin": "marketing",
                "reference": f"marketing_send:{send.id}",
            }
            for send, _row in messages
        ),
    )


def _send_rows(
    session: Session, campaign: Campaign, plan: list[tuple[Row, Variant | None, bool]]
) -> int:
    """Send rows for ``plan`` and the messages of those not duplicates; how many went."""
    sends = _insert_sends(session, campaign, plan)
    messages = [
        (send, row)
        for send, (row, _variant, duplicate) in zip(sends, plan, strict=True)
        if not duplicate
    ]
    _deliver(session, campaign, messages)
    return len(messages)


def send_one(session: Session, campaign: Campaign, customer_id: int) -> str:
    """A campaign's message to one customer (a journey's send step), in the caller's
    transaction: ``sent``; ``already`` when the campaign reached them before (one send
    per campaign and customer, as for the whole audience); ``duplicate`` when it reached
    their address through another customer; ``skipped`` without consent to the
    channel, an address, or room under the frequency cap."""
    if session.scalar(
        sa.select(Send.id).where(Send.campaign_id == campaign.id, Send.customer_id == customer_id)
    ):
        return "already"
    channel = channels.get(session, campaign.channel)
    address = channel.address_column()
    query = sa.select(
        Customer.id, Customer.code, Customer.name, Customer.city, Customer.region, address
    ).where(
        Customer.id == customer_id,
        Customer.archived_at.is_(None),
        campaigns.consented(channel.consent),
        address.is_not(None),
        address != "",
    )
    cap = campaigns.frequency_cap()
    if cap is not None:
        query = query.where(campaigns.under_cap(campaign.channel, *cap))
    row = session.execute(query).first()
    if row is None:
        return "skipped"
    key = normalised(channel.consent, address)
    shared = session.scalar(
        sa.select(Send.id)
        .join(Customer, Customer.id == Send.customer_id)
        .where(
            Send.campaign_id == campaign.id,
            Send.duplicate.is_(False),
            key == session.scalar(sa.select(key).where(Customer.id == customer_id)),
        )
        .limit(1)
    )
    if shared is not None:
        _send_rows(session, campaign, [(row, None, True)])
        return "duplicate"
    variant = variants.choose(campaign.id, customer_id, variants.of_campaign(session, campaign.id))
    _send_rows(session, campaign, [(row, variant, False)])
    return "sent"


def send_batch(
    session: Session, campaign_id: int, after: int | None, size: int
) -> tuple[int, int | None]:
    """Send to the next ``size`` recipients after customer id ``after``.

    Returns (how many were sent, the cursor after them — ``None`` when finished).
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.status in ("cancelled", "sent", "draft", "tested"):
        return 0, None
    if campaign.status == "scheduled":
        campaign.status = "sending"
    ids = list(
        session.scalars(
            campaigns.recipients(session, campaign)
            .where(Customer.id > (after or 0))
            .order_by(Customer.id)
            .limit(size)
        )
    )
    done = set(
        session.scalars(
            sa.select(Send.customer_id).where(
                Send.campaign_id == campaign.id, Send.customer_id.in_(ids)
            )
        )
    )
    address = channels.get(session, campaign.channel).address_column()
    rows = session.execute(
        sa.select(
            Customer.id, Customer.code, Customer.name, Customer.city, Customer.region, address
        )
        .where(Customer.id.in_([i for i in ids if i not in done]))
        .order_by(Customer.id)
    )
    rows = rows.all()
    keepers = _keepers(session, campaign, [row[0] for row in rows])
    options = variants.of_campaign(session, campaign.id)
    # Test, then winner: first only the test share gets the variants; once a winner is
    # picked, everyone not reached yet gets it (the test's sends are done already).
    testing = campaign.test_share is not None and campaign.winner is None
    if campaign.winner is not None:
        options = [v for v in options if v.name == campaign.winner]
    plan: list[tuple[Row, Variant | None, bool]] = []
    for row in rows:
        if testing and not variants.in_test(campaign.id, row[0], campaign.test_share or 0):
            continue
        if keepers.get(row[0], row[0]) != row[0]:
            plan.append((row, None, True))
        else:
            plan.append((row, variants.choose(campaign.id, row[0], options), False))
    sent = _send_rows(session, campaign, plan)
    if len(ids) < size and testing:
        campaign.status = "tested"
        return sent, None
    if len(ids) < size:
        campaign.status = "sent"
        campaign.finished_at = utcnow()
        emit(session, "crm_marketing_campaign_sent", campaign_id=campaign.id)
        return sent, None
    return sent, ids[-1]


def send_campaign_job(job: Any) -> None:
    """The ``marketing.send_campaign`` job: every batch of one campaign, resumable."""
    campaign_id = int(job.args["campaign_id"])
    size = int(job.args.get("batch_size") or BATCH_SIZE)

    def step(batch: Batch) -> Any:
        if batch.total is None:
            campaign = batch.session.get(Campaign, campaign_id)
            if campaign is not None and campaign.status in ("scheduled", "sending"):
                batch.total = batch.session.scalar(
                    sa.select(sa.func.count()).select_from(
                        campaigns.recipients(batch.session, campaign).subquery()
                    )
                )
        sent, cursor = send_batch(batch.session, campaign_id, batch.cursor, size)
        batch.processed = sent
        return cursor

    job.run_batches(step)
