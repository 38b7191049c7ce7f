"""The send job writes in bulk: a batch inserts its send rows, its outbox messages and
its timeline entries with one statement a table, and each message still gets its own
working links. Statements are counted, never timed."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, sending, tracking
from crm_marketing.models import Send, SmsMessage

from crm_host.sdk import EmailMessage, Interaction, read_token

TABLES = ("marketing_sends", "email_outbox", "marketing_sms_outbox", "interactions")


@pytest.fixture
def inserts():
    """INSERT statements sent to the database, by table (an executemany counts once)."""
    counted: Counter[str] = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        words = statement.split(None, 3)
        if words[:2] == ["INSERT", "INTO"]:
            counted[words[2].strip('"')] += 1

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield counted
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def launch(db, segment, channel="email", **extra):
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "周末",
            "channel": channel,
            "segment_id": segment.id,
            "subject": "{{ name }}的周末" if channel == "email" else "",
            "body": "{{ name }}（{{ code }}）：{{ track('https://shop.example.cn/a') }}",
            **extra,
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    return campaign


def test_each_batch_writes_a_table_with_one_statement(
    app, db, segment, make_customer, run_jobs, monkeypatch, inserts
):
    people = [
        make_customer(city="苏州", code=f"W{n:02d}", email=f"w{n}@example.cn", consent=["email"])
        for n in range(11)
    ]
    # Two of them share an address with a lower id: a send row each, no message.
    make_customer(city="苏州", email="W0@example.cn", consent=["email"])
    make_customer(city="苏州", email="w5@example.cn", consent=["email"])
    monkeypatch.setattr(sending, "BATCH_SIZE", 5)
    campaign = launch(db, segment)
    inserts.clear()
    run_jobs(names=[campaigns.SEND_JOB])

    db.refresh(campaign)
    assert campaign.status == "sent"
    # 13 recipients in batches of 5: three batches, one INSERT a table each.
    assert {t: inserts[t] for t in TABLES} == {
        "marketing_sends": 3,
        "email_outbox": 3,
        "marketing_sms_outbox": 0,
        "interactions": 3,
    }
    sends = {s.customer_id: s for s in db.scalars(sa.select(Send))}
    assert len(sends) == 13 and sum(s.duplicate for s in sends.values()) == 2
    mails = {m.to_address: m for m in db.scalars(sa.select(EmailMessage))}
    assert sorted(mails) == sorted(c.email for c in people)
    entries = dict(
        db.execute(
            sa.select(Interaction.customer_id, Interaction.reference).where(
                Interaction.source_plugin == "marketing"
            )
        ).all()
    )
    assert entries == {c.id: f"marketing_send:{sends[c.id].id}" for c in people}
    # Every message carries the links of its own send: they name the row they came with.
    with app.app_context():
        for customer in people:
            send, mail = sends[customer.id], mails[customer.email]
            assert mail.subject == f"{customer.name}的周末"
            assert mail.body_text.startswith(f"{customer.name}（{customer.code}）：")
            click = mail.body_text.split("/l/marketing.click/")[1].split()[0]
            assert read_token(tracking.CLICK, click) == {
                "send": send.id,
                "url": "https://shop.example.cn/a",
            }
            unsubscribe = mail.body_text.rsplit("/l/marketing.unsubscribe/", 1)[1].strip()
            assert read_token(sending.UNSUBSCRIBE, unsubscribe) == {"send": send.id}
            pixel = mail.body_html.split("/l/marketing.open/")[1].split('"')[0]
            assert read_token(tracking.OPEN, pixel) == {"send": send.id}


def test_sms_are_written_in_bulk_too_each_with_its_send(
    db, segment, make_customer, run_jobs, monkeypatch, inserts
):
    people = [make_customer(city="苏州", phone=f"1380013800{n}", consent=["sms"]) for n in range(4)]
    monkeypatch.setattr(sending, "BATCH_SIZE", 3)
    launch(db, segment, channel="sms")
    inserts.clear()
    run_jobs(names=[campaigns.SEND_JOB])
    assert inserts["marketing_sms_outbox"] == 2 and inserts["marketing_sends"] == 2
    sends = {s.id: s.customer_id for s in db.scalars(sa.select(Send))}
    texts = {sends[m.send_id]: m.text for m in db.scalars(sa.select(SmsMessage))}
    assert texts.keys() == {c.id for c in people}
    for customer in people:
        assert texts[customer.id].startswith(f"{customer.name}（{customer.code}）：")


def test_an_adapter_called_outside_a_send_queues_at_once(app, db, segment, make_customer):
    customer = make_customer(city="苏州", email="solo@example.cn", consent=["email"])
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "单发",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "你好",
            "body": "{{ name }}",
        },
    )
    send = Send(campaign_id=campaign.id, customer_id=customer.id, address=customer.email)
    db.add(send)
    db.flush()
    with app.app_context():
        context = {"name": customer.name, "unsubscribe_url": "https://crm.example.cn/u/x"}
        sending.ADAPTERS["email"](db, campaign, send, context)
    [mail] = db.scalars(sa.select(EmailMessage)).all()
    assert (mail.to_address, mail.subject) == ("solo@example.cn", "你好")
    assert mail.body_text == f"{customer.name}\n\n--\nhttps://crm.example.cn/u/x"
    assert sending.OUTBOX not in db.info
