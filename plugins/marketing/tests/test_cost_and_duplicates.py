"""A campaign's cost and ROI, and one message per address however many customers share it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, sending
from crm_marketing.models import Send, SmsMessage

from crm_host.sdk import AuditLog, Conflict, EmailMessage, Interaction, ValidationFailed, utcnow


def draft(db, segment, **extra):
    data = {
        "name": "双十一",
        "channel": "email",
        "segment_id": segment.id,
        "subject": "{{ name }}",
        "body": "{{ name }}",
        **extra,
    }
    campaign = campaigns.create_campaign(db, data)
    db.commit()
    return campaign


def test_roi_is_revenue_less_cost_over_cost_in_the_cost_currency(
    db, segment, make_customer, run_jobs, buy
):
    one = make_customer(city="苏州", email="one@example.com", consent=["email"])
    two = make_customer(city="苏州", email="two@example.com", consent=["email"])
    campaign = draft(db, segment)
    assert campaigns.roi(campaign, {}) == []
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    buy(one, "1000.00", utcnow())
    buy(two, "500.00", utcnow())
    buy(two, "20.00", utcnow(), currency="USD")
    revenue = campaigns.attributed_revenue(db, campaign)
    # No cost yet: revenue only.
    assert [r["roi"] for r in campaigns.roi(campaign, revenue)] == [None, None]
    # The invoice arrives after the send: the cost is still editable, the message is not.
    campaigns.update_campaign(db, campaign, {"cost": Decimal("1200.00"), "cost_currency": "CNY"})
    db.commit()
    # (1500 − 1200) / 1200 = 0.25 in CNY; the USD revenue has no cost to set against.
    assert campaigns.roi(campaign, revenue) == [
        {
            "currency": "CNY",
            "revenue": Decimal("1500.00"),
            "cost": Decimal("1200.00"),
            "roi": Decimal("0.2500"),
        },
        {"currency": "USD", "revenue": Decimal("20.00"), "cost": None, "roi": None},
    ]
    # A cost in a currency nothing was bought in: all of it lost, ROI −1.
    campaigns.update_campaign(db, campaign, {"cost": "300", "cost_currency": "EUR"})
    assert campaigns.roi(campaign, revenue)[1] == {
        "currency": "EUR",
        "revenue": Decimal("0"),
        "cost": Decimal("300"),
        "roi": Decimal("-1.0000"),
    }
    with pytest.raises(Conflict) as caught:
        campaigns.update_campaign(db, campaign, {"body": "改", "cost": "1"})
    assert "body" in caught.value.details
    audited = db.scalars(
        sa.select(AuditLog).where(
            AuditLog.object_type == "marketing.campaign", AuditLog.action == "update"
        )
    ).all()
    assert audited[0].after["cost"] == "1200.00" and audited[0].before["cost"] is None


def test_bad_costs_are_refused_naming_the_field(db, segment):
    for extra, field in (
        ({"cost": "12.5"}, "cost_currency"),
        ({"cost_currency": "CNY"}, "cost"),
        ({"cost": "-1", "cost_currency": "CNY"}, "cost"),
        ({"cost": "1.005", "cost_currency": "CNY"}, "cost"),
        ({"cost": "NaN", "cost_currency": "CNY"}, "cost"),
        ({"cost": "abc", "cost_currency": "CNY"}, "cost"),
        ({"cost": "1", "cost_currency": "cny"}, "cost_currency"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            draft(db, segment, **extra)
        assert field in caught.value.details, (extra, caught.value.details)
        db.rollback()


def test_the_api_and_the_cli_enter_a_cost_and_show_the_roi(
    api, cli, db, segment, make_customer, run_jobs, buy
):
    buyer = make_customer(city="苏州", email="buyer@example.com", consent=["email"])
    created = api.post(
        "/api/v1/marketing/campaigns",
        json={
            "name": "有成本",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "s",
            "body": "b",
            "cost": "400.00",
            "cost_currency": "CNY",
        },
    )
    assert created.status_code == 201, created.json
    assert (created.json["cost"], created.json["cost_currency"]) == ("400.00", "CNY")
    cid = created.json["id"]
    bad = api.patch(
        f"/api/v1/marketing/campaigns/{cid}", json={"cost": "1", "cost_currency": "C1Y"}
    )
    assert bad.status_code == 422 and "cost_currency" in bad.json["errors"]
    assert api.post(f"/api/v1/marketing/campaigns/{cid}/launch").status_code == 200
    run_jobs(names=[campaigns.SEND_JOB])
    buy(buyer, "1000.00", utcnow())
    changed = api.patch(f"/api/v1/marketing/campaigns/{cid}", json={"cost": "500.00"})
    assert changed.status_code == 200 and changed.json["cost"] == "500.00"
    late = api.patch(f"/api/v1/marketing/campaigns/{cid}", json={"subject": "改"})
    assert late.status_code == 409 and "subject" in late.json["errors"]
    stats = api.get(f"/api/v1/marketing/campaigns/{cid}/stats").json
    # (1000 − 500) / 500 = 1.
    assert stats["roi"] == [
        {"currency": "CNY", "revenue": "1000.00", "cost": "500.00", "roi": "1.0000"}
    ]
    assert stats["ab_test"] is None and stats["duplicates"] == 0

    shown = cli("marketing", "campaigns", "cost", str(cid), "800", "CNY")
    assert shown.exit_code == 0 and "cost 800.00 CNY" in shown.output
    refused = cli("marketing", "campaigns", "cost", str(cid), "-5", "CNY")
    assert refused.exit_code != 0 and "cost" in refused.output
    lines = cli("marketing", "campaigns", "stats", str(cid)).output.splitlines()
    # (1000 − 800) / 800 = 0.25.
    assert lines == ["sent 1\tduplicates 0", "CNY\trevenue 1000.00\tcost 800.00\tROI 0.2500"]


def test_customers_sharing_an_address_get_one_message_across_batches_and_a_crash(
    db, segment, make_customer, run_jobs, monkeypatch, buy
):
    # The host stores emails in lower case already; comparing them so again costs nothing.
    first = make_customer(city="苏州", email="Family@Example.com", consent=["email"])
    alone = make_customer(city="苏州", email="alone@example.com", consent=["email"])
    # The lowest id that may be sent to keeps the address: this one has no consent.
    make_customer(city="苏州", email="shared@example.com")
    kept = make_customer(city="苏州", email="shared@example.com", consent=["email"])
    second = make_customer(city="苏州", email=" family@example.COM ", consent=["email"])
    third = make_customer(city="苏州", email="family@example.com", consent=["email"])
    also = make_customer(city="苏州", email="SHARED@example.com", consent=["email"])
    campaign = draft(db, segment)
    monkeypatch.setattr(sending, "BATCH_SIZE", 2)
    calls = {"n": 0}
    real = sending.ADAPTERS["email"]

    def flaky(session, campaign_, send, context):
        calls["n"] += 1
        if calls["n"] == 3:  # dies in the second batch, before its duplicates are decided
            raise RuntimeError("mail relay went away")
        real(session, campaign_, send, context)

    monkeypatch.setitem(sending.ADAPTERS, "email", flaky)
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    run_jobs(later=timedelta(hours=1), names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    assert campaign.status == "sent"
    assert Counter(db.scalars(sa.select(EmailMessage.to_address))) == Counter(
        {"family@example.com": 1, "alone@example.com": 1, "shared@example.com": 1}
    )
    rows = {s.customer_id: s.duplicate for s in db.scalars(sa.select(Send))}
    assert rows == {
        first.id: False,
        alone.id: False,
        kept.id: False,
        second.id: True,
        third.id: True,
        also.id: True,
    }
    assert campaigns.statistics(db, campaign) == {"sent": 3, "duplicates": 3}
    # Skipped recipients were not messaged: no timeline entry, no attributed revenue.
    outbound = db.scalars(
        sa.select(Interaction.customer_id).where(Interaction.source_plugin == "marketing")
    ).all()
    assert sorted(outbound) == sorted([first.id, alone.id, kept.id])
    buy(third, "70.00", utcnow())
    buy(first, "30.00", utcnow())
    assert campaigns.attributed_revenue(db, campaign) == {"CNY": Decimal("30.00")}


def test_an_address_messaged_in_an_earlier_batch_stays_taken_under_a_cap_of_one(
    app, db, segment, make_customer, run_jobs, monkeypatch
):
    """The keeper of an address leaves the audience once messaged (a cap of one): the
    next customer at that address is still a duplicate, not a second message."""
    keeper = make_customer(city="苏州", email="home@example.com", consent=["email"])
    sibling = make_customer(city="苏州", email="home@example.com", consent=["email"])
    monkeypatch.setitem(app.config, "MARKETING_CAP_MESSAGES", 1)
    monkeypatch.setattr(sending, "BATCH_SIZE", 1)
    campaign = draft(db, segment)
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    assert list(db.scalars(sa.select(EmailMessage.to_address))) == ["home@example.com"]
    rows = {s.customer_id: s.duplicate for s in db.scalars(sa.select(Send))}
    assert rows == {keeper.id: False, sibling.id: True}


def test_sms_duplicates_ignore_spaces_and_hyphens(db, segment, make_customer, run_jobs):
    one = make_customer(city="苏州", phone="138 0013 8000", consent=["sms"])
    make_customer(city="苏州", phone="138-0013-8000", consent=["sms"])
    make_customer(city="苏州", phone="+86 138 0013 8000", consent=["sms"])
    make_customer(city="苏州", phone="13900139000", consent=["sms"])
    campaign = draft(db, segment, channel="sms", subject="")
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    # Numbers are stored, and so sent to, in E.164.
    assert sorted(db.scalars(sa.select(SmsMessage.to_number))) == [
        "+8613800138000",
        "+8613900139000",
    ]
    assert campaigns.statistics(db, campaign) == {"sent": 2, "duplicates": 2}
    # A journey's single send sees the address is taken too.
    later = make_customer(city="苏州", phone="13800138000", consent=["sms"])
    assert sending.send_one(db, campaign, later.id) == "duplicate"
    assert sending.send_one(db, campaign, later.id) == "already"
    assert sending.send_one(db, campaign, one.id) == "already"
