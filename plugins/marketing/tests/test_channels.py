"""Channels offered by plugins through ``crm_marketing_channels``; email and SMS built in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, channels, responses, sending
from crm_marketing.models import Send

from crm_host.sdk import Customer, Interaction, PluginError, ValidationFailed, hookimpl
from crm_host.sdk.customers import current_consents


class PushPlugin:
    """A plugin offering app push messages, addressed by the customer code and held
    in its own (here: in-memory) outbox."""

    def __init__(self):
        self.outbox = []

    @hookimpl
    def crm_marketing_channels(self, registry):
        def deliver(session, campaign, send, context):
            body = sending.message_of(session, campaign, send)[1]
            self.outbox.append((send.address, body.replace("{{ name }}", context["name"])))

        registry.add(
            "push", label="App push", address=Customer.code, deliver=deliver, consent="push"
        )


class BadPlugin:
    def __init__(self, **fields):
        self.fields = fields

    @hookimpl
    def crm_marketing_channels(self, registry):
        registry.add(**self.fields)


def test_email_and_sms_are_the_built_in_channels(db):
    offered = channels.available(db)
    assert [(c.name, c.consent, c.subject, c.plugin) for c in offered.values()] == [
        ("email", "email", True, "marketing"),
        ("sms", "sms", False, "marketing"),
    ]


@pytest.mark.hookspec("crm_marketing_channels")
def test_a_plugin_channel_sends_to_consenting_customers_and_unsubscribes_them(
    app, db, register, segment, make_customer, run_jobs
):
    plugin = PushPlugin()
    register(plugin, "fx_push")
    fan = make_customer(city="苏州", code="APP1", consent=["push"])
    make_customer(city="苏州", code="APP2", consent=["email"])  # no push consent
    campaign = campaigns.create_campaign(
        db,
        {"name": "推送", "channel": "push", "segment_id": segment.id, "body": "{{ name }}，上新了"},
    )
    assert campaign.channel == "push"
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    assert plugin.outbox == [("APP1", f"{fan.name}，上新了")]
    assert campaigns.statistics(db, campaign) == {"sent": 1, "duplicates": 0}
    subject = db.scalars(
        sa.select(Interaction.subject).where(Interaction.customer_id == fan.id)
    ).one()
    assert subject == "Campaign 推送 (push)"
    # Unsubscribing withdraws the consent the channel named.
    send = db.scalars(sa.select(Send)).one()
    with app.app_context():
        token = sending.unsubscribe_token(send)
    with app.test_request_context():
        responses.unsubscribe(db, token)
    db.commit()
    assert current_consents(db, fan.id)["push"] is False


def test_an_unknown_channel_is_refused_naming_the_field(db, segment, api):
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(
            db, {"name": "x", "channel": "pigeon", "segment_id": segment.id, "body": "b"}
        )
    assert caught.value.details["channel"] == ["Must be one of: email, sms."]
    db.rollback()
    answer = api.post(
        "/api/v1/marketing/campaigns",
        json={"name": "x", "channel": "pigeon", "segment_id": segment.id, "body": "b"},
    )
    assert answer.status_code == 422 and "channel" in answer.json["errors"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"name": "email", "label": "x", "address": Customer.email, "deliver": print},
            "channel email is offered by marketing already",
        ),
        (
            {"name": "Bad Name", "label": "x", "address": Customer.email, "deliver": print},
            "must be lower-case",
        ),
        (
            {"name": "fax", "label": "x", "address": "fax", "deliver": print},
            "is not a column expression",
        ),
        (
            {"name": "fax", "label": "x", "address": Customer.phone, "deliver": None},
            "is not callable",
        ),
        (
            {"name": "fax", "label": "x", "address": Customer.phone, "deliver": print},
            "needs one of the consent channels",
        ),
    ],
)
def test_a_bad_channel_is_refused_naming_the_plugin(db, register, fields, message):
    register(BadPlugin(**fields), "fx_bad")
    with pytest.raises(PluginError, match=f"plugin fx_bad: .*{message}"):
        channels.available(db)


def test_the_console_offers_a_plugin_channel(client_for, marketer, db, register, segment):
    register(PushPlugin(), "fx_push")
    console = client_for(marketer)
    wizard = console.get("/marketing/campaigns/new").get_data(as_text=True)
    assert '<option value="push"' in wizard and "App push" in wizard
    saved = console.post(
        "/marketing/campaigns/new",
        data={"name": "推送", "channel": "push", "segment_id": str(segment.id), "body": "b"},
    )
    assert saved.status_code == 302
    listing = console.get("/marketing/campaigns").get_data(as_text=True)
    assert "App push" in listing
