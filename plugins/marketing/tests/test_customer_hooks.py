"""Merges move marketing's rows to the survivor, erasure clears them, exports list them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, rfm, segments
from crm_marketing.models import RfmScore, SegmentMember, Send, SmsMessage

from crm_host.sdk import utcnow
from crm_host.sdk.customers import erase_customer, export_customer, merge_customers


@pytest.fixture
def reached(db, make_customer, buy, run_jobs):
    """Two customers on a static list, both scored, both sent an SMS campaign."""
    one = make_customer(phone="13800000001", consent=["sms"])
    two = make_customer(phone="13800000002", consent=["sms"])
    for customer in (one, two):
        buy(customer, "30.00", utcnow())
    rfm.refresh(db)
    listed = segments.create_segment(db, {"name": "名单", "kind": "static"})
    segments.add_members(db, listed, [one.id, two.id])
    campaign = campaigns.create_campaign(
        db, {"name": "短信", "channel": "sms", "segment_id": listed.id, "body": "{{ name }}，您好"}
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    return one, two, listed, campaign


def count(db, model, **where):
    return db.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


@pytest.mark.hookspec("crm_customers_merging")
def test_a_merge_keeps_one_membership_and_one_send_per_campaign(db, reached):
    one, two, listed, campaign = reached
    merge_customers(db, one, two)
    db.commit()
    assert count(db, SegmentMember, segment_id=listed.id) == 1
    assert count(db, Send, campaign_id=campaign.id) == 1
    assert count(db, Send, customer_id=one.id) == 1
    assert db.get(RfmScore, two.id) is None and db.get(RfmScore, one.id) is not None


@pytest.mark.hookspec("crm_customer_erasing")
@pytest.mark.hookspec("crm_customer_export")
def test_erasure_takes_them_off_every_list_and_blanks_the_outbox(app, db, reached):
    one, two, listed, _campaign = reached
    with app.app_context():
        exported = export_customer(db, one.id)
    mine = exported["plugins"]["marketing"] if "plugins" in exported else exported["marketing"]
    assert [r["segment_id"] for r in mine["segment_memberships"]] == [listed.id]
    assert mine["sends"][0]["address"] == "+8613800000001" and mine["rfm"][0]["frequency"] == 1
    assert mine["sms"][0]["to_number"] == "+8613800000001"
    erase_customer(db, one)
    erase_customer(db, one)  # twice is harmless
    db.commit()
    assert count(db, SegmentMember, customer_id=one.id) == 0
    assert db.get(RfmScore, one.id) is None
    send = db.scalars(sa.select(Send).where(Send.customer_id == one.id)).one()
    assert send.address is None
    sms = db.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == send.id)).one()
    assert (sms.to_number, sms.text) == (None, "[erased]")
    # The other customer is untouched.
    assert count(db, SegmentMember, customer_id=two.id) == 1


@pytest.mark.hookspec("crm_customers_merging")
@pytest.mark.hookspec("crm_customer_export")
def test_merging_two_customers_of_one_address_keeps_the_send_that_went_out(
    app, db, make_customer, run_jobs
):
    from crm_marketing import responses
    from crm_marketing.models import SendResponse

    first = make_customer(email="same@example.com", consent=["email"])
    later = make_customer(email="same@example.com", consent=["email"])
    listed = segments.create_segment(db, {"name": "同址", "kind": "static"})
    segments.add_members(db, listed, [first.id, later.id])
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "邮件",
            "channel": "email",
            "segment_id": listed.id,
            "subject": "s",
            "body": "b",
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    sent = responses.send_of(db, campaign.id, first.id)
    responses.record_response(db, sent, "opened")
    db.commit()
    with app.app_context():
        exported = export_customer(db, first.id)
    mine = exported["plugins"]["marketing"] if "plugins" in exported else exported["marketing"]
    assert [(r["send_id"], r["kind"]) for r in mine["responses"]] == [(sent.id, "opened")]
    # The later record survives; the first one's send is the one that went out.
    merge_customers(db, later, first)
    db.commit()
    kept = db.scalars(sa.select(Send).where(Send.campaign_id == campaign.id)).one()
    assert (kept.id, kept.customer_id, kept.duplicate) == (sent.id, later.id, False)
    assert count(db, SendResponse, send_id=sent.id) == 1
