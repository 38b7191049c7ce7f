"""The campaign wizard's A/B rows and cost, and a campaign's page: results, ROI, the leader."""

from __future__ import annotations

import re

import pytest
from crm_marketing import campaigns, responses, variants
from crm_marketing.models import Campaign

from crm_host.sdk import utcnow

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def console(client_for, marketer):
    return client_for(marketer)


def form_for(segment, **extra):
    return {
        "name": "周年庆",
        "channel": "email",
        "segment_id": str(segment.id),
        "subject": "周年庆",
        "body": "{{ name }}您好",
        "scheduled_at": "",
        **extra,
    }


def test_the_wizard_drafts_variants_and_a_cost_and_names_the_bad_row(console, db, segment):
    wizard = console.get("/marketing/campaigns/new", headers=ZH).get_data(as_text=True)
    assert "A/B 测试（可选）" in wizard and 'name="variant-E-weight"' in wizard
    rows = {
        "variant-A-subject": "甲",
        "variant-A-body": "满减",
        "variant-A-weight": "60",
        "variant-C-subject": "丙",
        "variant-C-body": "折扣",
        "variant-C-weight": "40",
    }
    # The third row filled in (C) is the second variant: its error shows on row C.
    bad = console.post(
        "/marketing/campaigns/new",
        data=form_for(segment, **{**rows, "variant-C-subject": ""}),
        headers=ZH,
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    row_c = html[html.index('data-variant="C"') : html.index('data-variant="D"')]
    assert "An email needs a subject." in row_c
    short = console.post(
        "/marketing/campaigns/new",
        data=form_for(segment, **{**rows, "variant-C-weight": "30"}),
    )
    assert short.status_code == 422 and "The weights must add up to 100." in short.get_data(
        as_text=True
    )
    nocurrency = console.post("/marketing/campaigns/new", data=form_for(segment, cost="100"))
    assert nocurrency.status_code == 422
    saved = console.post(
        "/marketing/campaigns/new",
        data=form_for(segment, cost="1,000".replace(",", ""), cost_currency="cny", **rows),
    )
    assert saved.status_code == 302
    campaign = db.query(Campaign).filter_by(name="周年庆").one()
    assert saved.headers["Location"].endswith(f"/marketing/campaigns/{campaign.id}")
    assert [(v["name"], v["weight"]) for v in variants.snapshot(db, campaign.id)] == [
        ("A", 60),
        ("C", 40),
    ]
    assert (str(campaign.cost), campaign.cost_currency) == ("1000.00", "CNY")


def test_the_campaign_page_shows_roi_and_the_leading_variant(
    console, db, segment, make_customer, run_jobs, buy
):
    people = [
        make_customer(city="苏州", email=f"p{n}@example.com", consent=["email"]) for n in range(12)
    ]
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "测试",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "s",
            "body": "b",
            "variants": [
                {"name": "A", "subject": "甲", "body": "一", "weight": 50},
                {"name": "B", "subject": "乙", "body": "二", "weight": 50},
            ],
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    run_jobs(names=[campaigns.SEND_JOB])
    db.refresh(campaign)
    options = variants.of_campaign(db, campaign.id)
    drawn = {c.id: variants.choose(campaign.id, c.id, options).name for c in people}
    openers = [c for c in people if drawn[c.id] == "A"][:1]
    for customer in openers:
        responses.record_response(db, responses.send_of(db, campaign.id, customer.id), "opened")
    db.commit()
    buy(people[0], "300.00", utcnow())

    saved = console.post(
        f"/marketing/campaigns/{campaign.id}/cost", data={"cost": "200", "cost_currency": "CNY"}
    )
    assert saved.status_code == 302
    refused = console.post(
        f"/marketing/campaigns/{campaign.id}/cost", data={"cost": "-3", "cost_currency": "CNY"}
    )
    assert refused.status_code == 302
    db.refresh(campaign)
    assert str(campaign.cost) == "200.00"

    html = console.get(f"/marketing/campaigns/{campaign.id}?metric=opened", headers=ZH).get_data(
        as_text=True
    )
    # (300 − 200) / 200 = 50%.
    roi_row = re.search(r'data-currency="CNY">(.*?)</tr>', html, re.S).group(1)
    assert "300.00" in roi_row and "200.00" in roi_row and "50.0%" in roi_row
    assert "投资回报率" in html and "A/B 测试" in html
    a_sent = sum(1 for name in drawn.values() if name == "A")
    a_row = re.search(r'data-variant="A">(.*?)</tr>', html, re.S).group(1)
    assert f"<td>{a_sent}</td>" in a_row and "★" in a_row
    assert "领先" in html and "尚不显著" in html  # one open proves nothing
    listing = console.get("/marketing/campaigns", headers=ZH).get_data(as_text=True)
    assert f'href="/marketing/campaigns/{campaign.id}"' in listing
    assert console.get("/marketing/campaigns/999999").status_code == 404


def test_a_finished_test_offers_its_winner_on_the_page(console, db, segment):
    campaign = campaigns.create_campaign(
        db,
        {
            "name": "先测后发",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "s",
            "body": "b",
            "test_share": 20,
            "variants": [
                {"name": "A", "subject": "甲", "body": "一", "weight": 50},
                {"name": "B", "subject": "乙", "body": "二", "weight": 50},
            ],
        },
    )
    campaigns.launch(db, campaign)
    db.commit()
    campaign.status = "tested"  # as the send job leaves it after the test share
    db.commit()
    html = console.get(f"/marketing/campaigns/{campaign.id}", headers=ZH).get_data(as_text=True)
    assert 'id="pick-winner"' in html and "测试完成，待选胜出版本" in html
    assert "受众的百分之 20" in html
    none_leads = console.post(f"/marketing/campaigns/{campaign.id}/winner", data={"variant": ""})
    assert none_leads.status_code == 302
    db.refresh(campaign)
    assert campaign.status == "tested"  # nobody responded: no leader, nothing sent
    picked = console.post(f"/marketing/campaigns/{campaign.id}/winner", data={"variant": "B"})
    assert picked.status_code == 302
    db.refresh(campaign)
    assert (campaign.status, campaign.winner) == ("sending", "B")
