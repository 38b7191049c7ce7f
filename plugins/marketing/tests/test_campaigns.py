"""Campaigns: consent per channel, exactly-once sends through a crash, unsubscribing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, responses, segments, sending
from crm_marketing.models import Send, SmsMessage

from crm_host.sdk import (
    Conflict,
    Consent,
    EmailMessage,
    Interaction,
    ValidationFailed,
    enqueue,
    utcnow,
)
from crm_host.sdk.customers import current_consents, record_consent
from crm_host.testing.tables import Job


@pytest.fixture
def audience(db, make_customer):
    """苏州 customers: 20 who consent to email, 5 who withdrew, 3 never asked, 2 without
    an address, 1 archived; and 2 in 上海 who consent but are outside the segment."""
    people = {"yes": [], "withdrew": [], "never": [], "no_address": [], "archived": [], "other": []}
    for n in range(20):
        people["yes"].append(
            make_customer(city="苏州", email=f"yes{n}@example.com", consent=["email"])
        )
    for n in range(5):
        c = make_customer(city="苏州", email=f"no{n}@example.com", consent=["email"])
        record_consent(db, c, channel="email", granted=False, source="phone call")
        people["withdrew"].append(c)
    for n in range(3):
        people["never"].append(make_customer(city="苏州", email=f"never{n}@example.com"))
    for _ in range(2):
        people["no_address"].append(make_customer(city="苏州", consent=["email"]))
    archived = make_customer(city="苏州", email="gone@example.com", consent=["email"])
    archived.archived_at = utcnow()
    people["archived"].append(archived)
    for n in range(2):
        people["other"].append(
            make_customer(city="上海", email=f"sh{n}@example.com", consent=["email"])
        )
    db.commit()
    segment = segments.create_segment(
        db, {"name": "苏州客户", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    db.commit()
    return segment, people


def draft(db, segment, channel="email", **extra):
    data = {
        "name": "双十一",
        "channel": channel,
        "segment_id": segment.id,
        "subject": "{{ name }}，您好",
        "body": "{{ name }}，双十一优惠。退订：{{ unsubscribe_url }}",
        **extra,
    }
    campaign = campaigns.create_campaign(db, data)
    db.commit()
    return campaign


def outbox(db):
    return Counter(db.scalars(sa.select(EmailMessage.to_address)))


def test_a_crash_mid_send_resumes_and_nobody_gets_two(db, app, audience, run_jobs, monkeypatch):
    segment, people = audience
    campaign = draft(db, segment)
    monkeypatch.setattr(sending, "BATCH_SIZE", 5)
    calls = {"n": 0}
    real = sending.ADAPTERS["email"]

    def flaky(session, campaign_, send, context):
        calls["n"] += 1
        if calls["n"] == 12:  # the worker dies in the middle of the third batch
            raise RuntimeError("mail relay went away")
        real(session, campaign_, send, context)

    monkeypatch.setitem(sending.ADAPTERS, "email", flaky)
    campaigns.launch(db, campaign)
    db.commit()

    run_jobs(names=[campaigns.SEND_JOB])
    job = db.get(Job, campaign.job_id)
    db.refresh(job)
    assert (job.status, job.attempts) == ("queued", 1)
    # Two whole batches committed; the third rolled back whole — sends and mails alike.
    assert sum(outbox(db).values()) == 10
    assert db.scalar(sa.select(sa.func.count()).select_from(Send)) == 10
    assert job.progress["done"] == 10 and job.progress["total"] == 20

    run_jobs(later=timedelta(hours=1), names=[campaigns.SEND_JOB])
    db.refresh(job)
    db.refresh(campaign)
    assert (job.status, campaign.status) == ("done", "sent")
    sent = outbox(db)
    assert sent == Counter({c.email: 1 for c in people["yes"]})
    # 20 recipients, plus the two tries of the batch that died (the 11th went, the 12th broke).
    assert calls["n"] == 22

    # A second job for the same campaign (an operator re-queues it) sends nothing again.
    campaign.status = "sending"
    enqueue(db, campaigns.SEND_JOB, {"campaign_id": campaign.id}, key="again")
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    assert outbox(db) == sent
    assert db.scalar(sa.select(sa.func.count()).select_from(Send)) == 20


def test_launching_twice_is_refused_and_every_send_is_on_the_timeline(db, audience, run_jobs):
    segment, people = audience
    campaign = draft(db, segment)
    campaigns.launch(db, campaign)
    db.commit()
    with pytest.raises(Conflict):
        campaigns.launch(db, campaign)
    run_jobs(names=[campaigns.SEND_JOB])
    entries = db.scalars(
        sa.select(Interaction.customer_id).where(
            Interaction.source_plugin == "marketing", Interaction.direction == "outbound"
        )
    )
    assert sorted(entries) == sorted(c.id for c in people["yes"])
    mail = db.scalars(
        sa.select(EmailMessage).where(EmailMessage.to_address == "yes0@example.com")
    ).one()
    assert mail.subject == f"{people['yes'][0].name}，您好"
    assert "退订：/l/marketing.unsubscribe/" in mail.body_text
    assert campaigns.statistics(db, campaign) == {"sent": 20, "duplicates": 0}


def test_sms_goes_to_its_outbox_and_needs_sms_consent(db, audience, make_customer, run_jobs):
    segment, _people = audience
    texter = make_customer(city="苏州", phone="13800138000", consent=["sms"])
    make_customer(city="苏州", phone="13900139000", consent=["email"])
    campaign = draft(db, segment, channel="sms", subject="")
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    rows = db.scalars(sa.select(SmsMessage)).all()
    assert [r.to_number for r in rows] == ["+8613800138000"]  # stored, and sent to, in E.164
    assert rows[0].text.startswith(texter.name)


def test_unsubscribing_withdraws_consent_once_and_later_campaigns_skip_them(
    db, app, audience, run_jobs
):
    segment, people = audience
    first = draft(db, segment)
    campaigns.launch(db, first)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    leaver = people["yes"][3]
    send = responses.send_of(db, first.id, leaver.id)
    with app.app_context():
        token = sending.unsubscribe_token(send)
    with app.test_request_context():
        responses.unsubscribe(db, token)
        responses.unsubscribe(db, token)  # clicked twice
    db.commit()
    assert current_consents(db, leaver.id)["email"] is False
    withdrawals = db.scalars(
        sa.select(Consent).where(Consent.customer_id == leaver.id, Consent.granted.is_(False))
    ).all()
    assert len(withdrawals) == 1 and "campaign" in withdrawals[0].source
    inbound = db.scalars(
        sa.select(Interaction.subject).where(
            Interaction.customer_id == leaver.id, Interaction.direction == "inbound"
        )
    ).all()
    assert inbound == ["Campaign 双十一: unsubscribed"]

    second = draft(db, segment, name="回馈")
    campaigns.launch(db, second)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    reached = set(db.scalars(sa.select(Send.customer_id).where(Send.campaign_id == second.id)))
    assert leaver.id not in reached and len(reached) == 19


def test_responses_are_recorded_once_each(db, audience, run_jobs):
    segment, people = audience
    campaign = draft(db, segment)
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    send = responses.send_of(db, campaign.id, people["yes"][0].id)
    assert responses.record_response(db, send, "opened") is True
    assert responses.record_response(db, send, "opened") is False
    assert responses.record_response(db, send, "clicked") is True
    db.commit()
    # One entry per kind, each about the campaign (a typed reference, not a string).
    about = db.execute(
        sa.select(Interaction.subject, Interaction.object_type, Interaction.object_id)
        .where(Interaction.customer_id == send.customer_id, Interaction.direction == "inbound")
        .order_by(Interaction.id)
    ).all()
    assert about == [
        (f"Campaign {campaign.name}: opened", "marketing.campaign", campaign.id),
        (f"Campaign {campaign.name}: clicked", "marketing.campaign", campaign.id),
    ]
    # Each kind counts the sends that got it: opened, then clicked, is in both.
    assert campaigns.statistics(db, campaign) == {
        "sent": 20,
        "duplicates": 0,
        "opened": 1,
        "clicked": 1,
    }
    with pytest.raises(ValidationFailed):
        responses.record_response(db, send, "liked")


def test_bad_templates_and_drafts_are_refused_naming_the_field(db, audience):
    segment, _ = audience
    with pytest.raises(ValidationFailed) as caught:
        draft(db, segment, body="{{ name.__class__.__mro__ }}")
    assert "body" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        draft(db, segment, body="{% for %}")
    assert "body" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        draft(db, segment, subject="")
    assert "subject" in caught.value.details


def test_a_scheduled_campaign_waits_for_its_time(db, audience, run_jobs):
    segment, _ = audience
    campaign = draft(db, segment, scheduled_at=utcnow() + timedelta(hours=2))
    campaigns.launch(db, campaign)
    db.commit()
    assert campaign.status == "scheduled"
    run_jobs(names=[campaigns.SEND_JOB])
    assert db.scalar(sa.select(sa.func.count()).select_from(Send)) == 0
    run_jobs(later=timedelta(hours=3), names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    assert campaign.status == "sent"
    assert db.scalar(sa.select(sa.func.count()).select_from(Send)) == 20


def test_revenue_after_the_send_is_attributed_per_currency(db, audience, run_jobs, buy):
    segment, people = audience
    buy(people["yes"][0], "99.00", utcnow() - timedelta(days=1))  # before: not the campaign's
    campaign = draft(db, segment)
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    buy(people["yes"][0], "120.00", utcnow())
    buy(people["yes"][1], "30.50", utcnow())
    buy(people["yes"][1], "10.00", utcnow(), currency="EUR")
    buy(people["withdrew"][0], "500.00", utcnow())  # never sent to
    assert campaigns.attributed_revenue(db, campaign) == {
        "CNY": Decimal("150.50"),
        "EUR": Decimal("10.00"),
    }
    # With no window nothing after the campaign finished counts.
    assert campaigns.attributed_revenue(db, campaign, window=timedelta(days=0)) == {}


def test_the_frequency_cap_holds_back_customers_messaged_lately(db, app, audience, run_jobs):
    segment, people = audience
    app.config["MARKETING_CAP_MESSAGES"] = 1
    try:
        first = draft(db, segment)
        campaigns.launch(db, first)
        db.commit()
        run_jobs(names=[campaigns.SEND_JOB])
        second = draft(db, segment, name="再次")
        campaigns.launch(db, second)
        db.commit()
        run_jobs(names=[campaigns.SEND_JOB])
        db.refresh(second)
        assert second.status == "sent"
        assert campaigns.statistics(db, first)["sent"] == 20
        assert campaigns.statistics(db, second)["sent"] == 0
        # A week later the cap has lapsed.
        db.execute(sa.update(Send).values(sent_at=utcnow() - timedelta(days=8)))
        third = draft(db, segment, name="一周后")
        campaigns.launch(db, third)
        db.commit()
        run_jobs(names=[campaigns.SEND_JOB])
        assert campaigns.statistics(db, third)["sent"] == 20
    finally:
        app.config.pop("MARKETING_CAP_MESSAGES")
