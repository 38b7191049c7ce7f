"""Delivered, opened and clicked through the host's signed links; each counted once."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, responses, tracking
from crm_marketing.models import Send, SmsMessage
from jinja2 import TemplateError

from crm_host.sdk import EmailMessage, Interaction, ValidationFailed

TARGET = "https://shop.example.com/sale?item=7&from=mail"


def launch(db, run_jobs, segment, **data):
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "跟踪",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "您好",
            **data,
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    return campaign


def test_the_pixel_and_the_tracked_link_count_once_and_redirect_only_where_signed(
    app, db, segment, make_customer, run_jobs, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://crm.example.com/")
    reader = make_customer(city="苏州", email="reader@example.com", consent=["email"])
    campaign = launch(db, run_jobs, segment, body=f'特卖：{{{{ track("{TARGET}") }}}}')
    mail = db.scalars(sa.select(EmailMessage)).one()
    click = re.search(r"https://crm\.example\.com/l/marketing\.click/\S+", mail.body_text).group(0)
    pixel = re.search(r'src="(https://crm\.example\.com/l/marketing\.open/[^"]+)"', mail.body_html)
    pixel = pixel.group(1)
    assert f'<a href="{click}">' in mail.body_html  # the text's addresses are links there
    assert TARGET not in mail.body_text  # only the signed link is in the message

    visitor = app.test_client()  # a mail client: nobody signed in
    for _ in range(2):  # an image proxy loads it, then the reader's client
        image = visitor.get(pixel)
        assert image.status_code == 200 and image.mimetype == "image/gif"
        assert image.data.startswith(b"GIF89a")
        assert image.headers["Cache-Control"] == "no-store"
    for _ in range(2):
        jump = visitor.get(click)
        assert jump.status_code == 302 and jump.headers["Location"] == TARGET
        assert jump.headers["Referrer-Policy"] == "no-referrer"
    db.expire_all()
    assert campaigns.statistics(db, campaign) == {
        "sent": 1,
        "duplicates": 0,
        "opened": 1,
        "clicked": 1,
    }
    inbound = db.scalars(
        sa.select(Interaction.subject)
        .where(Interaction.customer_id == reader.id, Interaction.direction == "inbound")
        .order_by(Interaction.id)
    ).all()
    assert inbound == ["Campaign 跟踪: opened", "Campaign 跟踪: clicked"]

    # A token names its purpose and its address: nothing else opens or redirects.
    token = click.rsplit("/", 1)[1]
    assert visitor.get(f"/l/marketing.open/{token}").status_code == 400
    assert visitor.get(click[:-3] + "abc").status_code == 400
    assert visitor.get("/l/marketing.click/forged").status_code == 400
    with app.app_context():
        send = db.scalars(sa.select(Send)).one()
        with pytest.raises(TemplateError):
            tracking.click_url(send, "javascript:alert(1)")


def test_a_click_without_images_still_counts_the_open(app, db, segment, make_customer, run_jobs):
    make_customer(city="苏州", email="plain@example.com", consent=["email"])
    campaign = launch(
        db, run_jobs, segment, body='{{ track("https://example.com/a") }} {{ unsubscribe_url }}'
    )
    mail = db.scalars(sa.select(EmailMessage)).one()
    click = re.search(r"/l/marketing\.click/\S+", mail.body_text).group(0)
    assert app.test_client().get(click).headers["Location"] == "https://example.com/a"
    db.expire_all()
    stats = campaigns.statistics(db, campaign)
    assert (stats["opened"], stats["clicked"]) == (1, 1)


@pytest.mark.parametrize(
    "body", ['{{ track("javascript:alert(1)") }}', '{{ track("/local") }}', "{{ track(city) }}"]
)
def test_track_takes_only_absolute_web_addresses(db, segment, body):
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(
            db,
            {
                "name": "坏",
                "channel": "email",
                "segment_id": segment.id,
                "subject": "s",
                "body": body,
            },
        )
    assert "track() takes an http(s) address" in caught.value.details["body"][0]


def test_an_sms_gateway_confirms_delivery_once(db, segment, make_customer, run_jobs):
    make_customer(city="苏州", phone="13800138000", consent=["sms"])
    campaign = launch(db, run_jobs, segment, channel="sms", subject="", body="{{ name }}")
    sms = db.scalars(sa.select(SmsMessage)).one()
    assert tracking.confirm_sms(db, sms.id) is True
    assert tracking.confirm_sms(db, sms.id) is False
    db.commit()
    assert sms.delivered_at is not None
    assert campaigns.statistics(db, campaign)["delivered"] == 1
    # A mail gateway reports the same through the responses API's kind.
    send = db.scalars(sa.select(Send)).one()
    assert responses.record_response(db, send, "delivered") is False


def test_the_api_reports_deliveries_and_buyers(api, db, segment, make_customer, run_jobs, buy):
    from crm_host.sdk import utcnow

    one = make_customer(city="苏州", email="one@example.com", consent=["email"])
    make_customer(city="苏州", email="two@example.com", consent=["email"])
    campaign = launch(db, run_jobs, segment, body="b")
    answer = api.post(
        f"/api/v1/marketing/campaigns/{campaign.id}/responses",
        json={"customer_id": one.id, "kind": "delivered"},
    )
    assert answer.status_code == 200 and answer.json == {"recorded": True}
    buy(one, "10.00", utcnow())
    stats = api.get(f"/api/v1/marketing/campaigns/{campaign.id}/stats").json
    assert (stats["sent"], stats["delivered"], stats["buyers"]) == (2, 1, 1)
