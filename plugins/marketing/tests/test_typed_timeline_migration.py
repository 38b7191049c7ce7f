"""mkt0011 names the campaign of send and response entries as a typed reference and
back; a response recorded before it is still recorded only once."""

from __future__ import annotations

import sqlalchemy as sa
from crm_marketing import responses
from crm_marketing.models import Campaign, Segment, Send

from crm_host.core import migrate
from crm_host.core.db import Database
from crm_host.domain import lifecycle
from crm_host.plugins.facade import discover, order_plugins
from crm_host.sdk import Customer, Interaction


def _entries(database: Database) -> list[tuple]:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT reference, object_type, object_id FROM interactions ORDER BY id")
        ).all()


def _seed(database: Database) -> tuple[int, int]:
    """A campaign sent to one customer, with the send's and its opening's old entries."""
    with database.session() as session:
        customer = Customer(code="C1", kind="person", name="王芳")
        segment = Segment(name="人群", kind="static")
        session.add_all([customer, segment])
        session.flush()
        campaign = Campaign(name="春季", channel="email", segment_id=segment.id, body="您好")
        session.add(campaign)
        session.flush()
        send = Send(campaign_id=campaign.id, customer_id=customer.id)
        session.add(send)
        session.flush()
        for reference in (f"marketing_send:{send.id}", f"marketing_send:{send.id}:opened"):
            session.add(
                Interaction(
                    customer_id=customer.id,
                    source_plugin="marketing",
                    channel="campaign",
                    subject="s",
                    reference=reference,
                )
            )
        return campaign.id, send.id


def test_old_entries_name_their_campaign_and_keep_their_key(crm_databases):
    database = Database(crm_databases.create("marketing-typed-timeline"))
    try:
        discovery = discover()
        migrate.upgrade(database, [], "host@head")
        lifecycle.install(database, discovery, "marketing")
        manifests = order_plugins(discovery.manifests, ["marketing"])
        migrate.downgrade(database, manifests, "marketing@mkt0010")
        campaign, send = _seed(database)
        old = [
            (f"marketing_send:{send}", None, None),
            (f"marketing_send:{send}:opened", None, None),
        ]
        assert _entries(database) == old
        migrate.upgrade(database, manifests, "marketing@head")
        assert _entries(database) == [(r, "marketing.campaign", campaign) for r, _, _ in old]
        # The opening on the timeline from before counts: recording it again adds nothing.
        with database.session() as session:
            assert responses.record_response(session, session.get(Send, send), "opened") is False
        assert len(_entries(database)) == 2
        migrate.downgrade(database, manifests, "marketing@mkt0010")
        assert _entries(database) == old
    finally:
        database.dispose()
