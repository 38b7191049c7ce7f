"""Campaigns carry a version: ETag on reads, If-Match on PATCH, DELETE and the moves."""

from __future__ import annotations

import pytest

from crm_host.testing.versions import (
    assert_delete_if_match,
    assert_if_match_protocol,
    read_etag,
)

CAMPAIGNS = "/api/v1/marketing/campaigns"
CITY = {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}


@pytest.fixture
def campaign_url(api):
    segment = api.post("/api/v1/marketing/segments", json={"name": "苏州", "rules": CITY}).json
    body = {"name": "春节", "channel": "email", "segment_id": segment["id"], "body": "新春快乐"}
    body["subject"] = "新春"
    created = api.post(CAMPAIGNS, json=body)
    assert created.status_code == 201, created.json
    return f"{CAMPAIGNS}/{created.json['id']}"


def test_campaign_patch_honours_if_match(api, app, campaign_url):
    assert read_etag(api, campaign_url)[0].endswith('.1"')
    assert_if_match_protocol(
        api,
        app,
        campaign_url,
        write=("PATCH", campaign_url),
        bodies=[{"subject": "一"}, {"subject": "二"}, {"subject": "三"}],
    )
    assert api.get(campaign_url).json["subject"] == "三"


def test_campaign_launch_and_cancel_honour_if_match(api, app, campaign_url):
    etag, _ = read_etag(api, campaign_url)
    stale = api.post(f"{campaign_url}/launch", headers={"If-Match": etag.replace('.1"', '.0"')})
    assert stale.status_code == 412
    assert api.get(campaign_url).json["status"] == "draft"
    launched = api.post(f"{campaign_url}/launch", headers={"If-Match": etag})
    assert launched.status_code == 200 and launched.json["status"] == "sending"
    assert launched.headers["ETag"] == read_etag(api, campaign_url)[0] != etag
    cancelled = api.post(f"{campaign_url}/cancel", headers={"If-Match": etag})
    assert cancelled.status_code == 412  # the launch made the first tag stale
    assert api.get(campaign_url).json["status"] == "sending"


def test_campaign_delete_honours_if_match(api, app, campaign_url):
    assert_delete_if_match(api, app, campaign_url, campaign_url)


def test_the_cost_form_keeps_typed_values_when_someone_else_saved(
    client_for, marketer, db, segment
):
    from crm_marketing import campaigns

    campaign = campaigns.create_campaign(
        db,
        {"name": "测", "channel": "email", "segment_id": segment.id, "subject": "s", "body": "b"},
    )
    db.commit()
    console = client_for(marketer)
    page = console.get(f"/marketing/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'name="version" value="1"' in page
    campaigns.update_campaign(db, campaign, {"cost": "99", "cost_currency": "CNY"})
    db.commit()
    typed = {"cost": "250", "cost_currency": "USD", "version": "1"}
    conflict = console.post(f"/marketing/campaigns/{campaign.id}/cost", data=typed)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else changed this record" in html
    assert 'value="250"' in html and 'value="USD"' in html
    assert 'name="version" value="2"' in html
    db.refresh(campaign)
    assert (str(campaign.cost), campaign.cost_currency) == ("99.00", "CNY")
    saved = console.post(f"/marketing/campaigns/{campaign.id}/cost", data={**typed, "version": "2"})
    assert saved.status_code == 302
    db.refresh(campaign)
    assert (str(campaign.cost), campaign.cost_currency) == ("250.00", "USD")
