"""The public page behind signed links: confirm first, then the plugin's handler runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.links.handlers import LinkHandlerRegistry
from crm_host.plugins.facade import PluginError


@pytest.mark.hookspec("crm_register_link_handlers")
def test_an_unsubscribe_link_works_for_a_visitor_not_signed_in(app, db, make_customer, run_jobs):
    from crm_marketing import campaigns, segments
    from crm_marketing.models import Send
    from crm_marketing.sending import unsubscribe_token

    from crm_host.domain.customers.consent import current_consents, record_consent

    customer = make_customer(city="苏州", email="visitor@example.cn")
    record_consent(db, customer, channel="email", granted=True, source="form")
    segment = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "双十一",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "您好",
            "body": "退订：{{ unsubscribe_url }}",
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs()
    send = db.scalar(sa.select(Send).where(Send.campaign_id == campaign.id))
    with app.app_context():  # tokens are signed with the application's secret
        link = f"/l/marketing.unsubscribe/{unsubscribe_token(send)}"

    visitor = app.test_client()  # nobody signed in
    page = visitor.get(link)
    assert page.status_code == 200 and "Confirm" in page.get_data(as_text=True)
    assert current_consents(db, customer.id)["email"] is True  # opening changes nothing
    done = visitor.post(link)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.get_data(as_text=True)
    db.expire_all()
    assert current_consents(db, customer.id)["email"] is False
    assert visitor.post("/l/marketing.unsubscribe/forged-token").status_code == 400
    assert visitor.get("/l/nobody.knows/whatever").status_code == 404


def test_handlers_must_carry_the_plugins_slug():
    registry = LinkHandlerRegistry()
    registry._plugin, registry._slug = "fx", "fx"
    registry.add("fx.survey", lambda session, token: "ok")
    with pytest.raises(PluginError, match="must be fx.<name>"):
        registry.add("other.survey", lambda session, token: "ok")
    with pytest.raises(PluginError, match="have a handler already"):
        registry.add("fx.survey", lambda session, token: "ok")


def test_a_handler_with_fields_must_take_the_posted_form():
    registry = LinkHandlerRegistry()
    registry._plugin, registry._slug = "fx", "fx"
    registry.add("fx.answer", lambda session, token, form: "ok", fields="fx/fields.html")
    assert registry.handlers["fx.answer"].wants_form
    assert registry.handlers["fx.answer"].fields == "fx/fields.html"
    with pytest.raises(PluginError, match="has fields but takes no form"):
        registry.add("fx.other", lambda session, token: "ok", fields="fx/fields.html")


def test_a_handler_may_give_its_fields_what_they_show():
    registry = LinkHandlerRegistry()
    registry._plugin, registry._slug = "fx", "fx"

    def context(session, token):
        return {"status": "open"}

    registry.add(
        "fx.follow", lambda session, token, form: "ok", fields="fx/f.html", context=context
    )
    assert registry.handlers["fx.follow"].context(session=None, token="t") == {"status": "open"}


def test_a_tracking_handler_acts_on_opening_and_takes_no_form():
    registry = LinkHandlerRegistry()
    registry._plugin, registry._slug = "fx", "fx"
    registry.add("fx.pixel", lambda session, token: "seen", on_open=True)
    assert registry.handlers["fx.pixel"].on_open
    assert not registry.handlers["fx.pixel"].wants_form
    # Existing handlers keep confirming first.
    registry.add("fx.ask", lambda session, token: "ok")
    assert registry.handlers["fx.ask"].on_open is False
    with pytest.raises(PluginError, match="runs on opening: it has no form"):
        registry.add("fx.bad", lambda session, token, form: "ok", on_open=True)


@pytest.mark.hookspec("crm_register_link_handlers")
def test_a_tracking_link_answers_its_own_response_on_get_and_post(app, db, make_customer, run_jobs):
    from crm_marketing import campaigns, segments, tracking
    from crm_marketing.models import Send

    from crm_host.domain.customers.consent import record_consent

    reader = make_customer(city="苏州", email="reader@example.cn")
    record_consent(db, reader, channel="email", granted=True, source="form")
    segment = segments.create_segment(
        db, {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}}
    )
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "跟踪",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "您好",
            "body": '{{ track("https://example.cn/x") }}',
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs()
    send = db.scalar(sa.select(Send).where(Send.campaign_id == campaign.id))
    with app.app_context():
        click = tracking.click_url(send, "https://example.cn/x")
    visitor = app.test_client()
    for answer in (visitor.get(click), visitor.post(click)):
        assert answer.status_code == 302 and answer.headers["Location"] == "https://example.cn/x"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    # A bad token on a tracking link is the link page's error, as for any link.
    bad = visitor.get("/l/marketing.click/forged")
    assert bad.status_code == 400 and "not valid" in bad.get_data(as_text=True)
