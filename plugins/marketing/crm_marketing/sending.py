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

from collections.abc import Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Batch, Customer, emit, timeline, utcnow
from crm_marketing import audience, channels, duplicates, tracking, variants
from crm_marketing.delivery import ADAPTERS as ADAPTERS
from crm_marketing.delivery import OUTBOX, Outbox
from crm_marketing.delivery import builtin as builtin
from crm_marketing.delivery import message_of as message_of
from crm_marketing.duplicates import normalised
from crm_marketing.links import UNSUBSCRIBE as UNSUBSCRIBE
from crm_marketing.links import unsubscribe_token, unsubscribe_url
from crm_marketing.models import Campaign, Send, Variant
from crm_marketing.objects import CAMPAIGN_OBJECT

#: Recipients a batch: big enough that its few statements, not their round trips,
#: dominate; small enough that a crash loses a moment's work.
BATCH_SIZE = 1000


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
                "about": (CAMPAIGN_OBJECT, campaign.id),
                # Marketing's own key of the send (private: nothing else reads it).
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
        audience.consented(channel.consent),
        address.is_not(None),
        address != "",
    )
    cap = audience.frequency_cap()
    if cap is not None:
        query = query.where(audience.under_cap(campaign.channel, *cap))
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
            audience.recipients(session, campaign)
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
    keepers = duplicates.keepers(session, campaign, [row[0] for row in rows])
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
                        audience.recipients(batch.session, campaign).subquery()
                    )
                )
        sent, cursor = send_batch(batch.session, campaign_id, batch.cursor, size)
        batch.processed = sent
        return cursor

    job.run_batches(step)
