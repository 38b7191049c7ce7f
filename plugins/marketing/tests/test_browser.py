"""Marketing's console in a real browser: the segment builder's live count, the campaign
wizard, the RFM grid, the customer-value page and the journeys page.

Each test waits on elements (a count, a drawn chart, the next page), never on time.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from crm_marketing import rfm, segments
from crm_marketing.models import Campaign, CustomerValue, Journey, JourneyEntry, ValueModel

from crm_host.sdk import Customer, utcnow
from crm_host.sdk.customers import customer_service as service
from crm_host.sdk.customers import record_consent
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in
from crm_host.testing.runtime import run_due_jobs


def _chart_drawn(page, url_part: str) -> None:
    """Wait until the chart fed by ``url_part`` has been drawn (ECharts adds a canvas)."""
    chart = page.locator(f"[data-chart-url*='{url_part}'][data-chart-ready='true']")
    chart.wait_for()
    assert chart.locator("canvas").count() >= 1


def _buyers(committed_db) -> list[int]:
    """Three buyers: 1 purchase 30 days ago (100), 2 up to 20 days ago (2 × 50), 3 up to
    10 days ago (3 × 100); RFM and the pyramid computed."""
    from crm_sales import orders

    now = utcnow()
    ids = []
    with committed_db.session() as session:
        for n, (count, amount, last) in enumerate([(1, "100", 30), (2, "50", 20), (3, "100", 10)]):
            customer = service.create_customer(
                session, {"code": f"BV{n}", "name": f"买家{n}", "kind": "person"}
            )
            for k in range(count):
                orders.create_order(
                    session,
                    {
                        "customer_id": customer.id,
                        "currency": "CNY",
                        "ordered_at": now - timedelta(days=last + 5 * k),
                        "lines": [{"description": "商品", "unit_price": Decimal(amount)}],
                    },
                )
            ids.append(customer.id)
        rfm.refresh(session)
        session.commit()
    return ids


def test_building_a_segment_shows_its_live_count(browser_page, committed_db):
    make_committed_user(committed_db, "mona", departments=["marketing"])
    with committed_db.session() as session:
        for n, (city, gender) in enumerate(
            [("苏州", "female"), ("苏州", "male"), ("苏州", "female"), ("南京", "female")]
        ):
            service.create_customer(
                session,
                {
                    "code": f"BR{n}",
                    "name": f"浏览器{n}",
                    "kind": "person",
                    "city": city,
                    "gender": gender,
                },
            )
        session.commit()
    page = browser_page
    sign_in(page, "mona", TEST_PASSWORD)
    page.click("text=Segments")
    page.click("text=New segment")
    page.select_option("select[name=field-0]", "city")
    page.select_option("select[name=op-0]", "eq")
    page.fill("input[name=value-0]", "苏州")
    page.locator("#live-count [data-count='3']").wait_for()
    page.select_option("select[name=field-1]", "gender")
    page.select_option("select[name=op-1]", "eq")
    page.fill("input[name=value-1]", "female")
    count = page.locator("#live-count [data-count='2']")
    count.wait_for()
    assert count.inner_text() == "2"
    # A wrong operator is named by the node's path, in place of the count.
    page.select_option("select[name=op-1]", "gte")
    page.locator("#live-count [data-count-errors]").wait_for()
    assert "rules.all[1].op" in page.inner_text("#live-count")
    page.select_option("select[name=op-1]", "eq")
    page.fill("input[name=name]", "苏州女性")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/marketing/segments/\d+$"))
    page.locator("#live-count [data-count='2']").wait_for()
    page.screenshot(path="artifacts/screenshots/marketing-segment-builder.png", full_page=True)


def test_the_campaign_wizard_counts_its_audience_and_drafts_the_campaign(
    browser_page, committed_db
):
    make_committed_user(committed_db, "mona", departments=["marketing"])
    with committed_db.session() as session:
        for n, consent in enumerate([True, True, False]):
            customer = service.create_customer(
                session,
                {
                    "code": f"CW{n}",
                    "name": f"向导{n}",
                    "kind": "person",
                    "city": "苏州",
                    "email": f"cw{n}@example.com",
                },
            )
            if consent:
                record_consent(session, customer, channel="email", granted=True, source="test")
        segment = segments.create_segment(
            session,
            {
                "name": "苏州客户",
                "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]},
            },
        )
        session.commit()
        segment_id = segment.id
    page = browser_page
    sign_in(page, "mona", TEST_PASSWORD)
    page.goto("/marketing/campaigns/new")
    page.select_option("select[name=segment_id]", str(segment_id))
    # Two of the three members agreed to email; nobody has a phone for SMS.
    page.locator("#audience [data-audience='2']").wait_for()
    page.select_option("select[name=channel]", "sms")
    page.locator("#audience [data-audience='0']").wait_for()
    page.select_option("select[name=channel]", "email")
    page.locator("#audience [data-audience='2']").wait_for()
    page.fill("input[name=name]", "春季问候")
    page.fill("input[name=subject]", "春季问候")
    page.fill("textarea[name=body]", "{{ name }}，春天好")
    page.click("main form button[type=submit]")
    # The draft is saved: the wizard leaves for the campaign (or the list of campaigns).
    page.wait_for_url(re.compile(r".*/marketing/campaigns(/\d+)?$"))
    with committed_db.session() as session:
        campaign = session.scalar(sa.select(Campaign).where(Campaign.name == "春季问候"))
        assert (campaign.channel, campaign.segment_id, campaign.status) == (
            "email",
            segment_id,
            "draft",
        )
    page.goto("/marketing/campaigns")
    assert "春季问候" in page.inner_text(f"tr[data-campaign='{campaign.id}']")


def test_the_rfm_grid_places_each_buyer_and_draws_its_chart(browser_page, committed_db):
    make_committed_user(committed_db, "mona", departments=["marketing"])
    _buyers(committed_db)
    page = browser_page
    sign_in(page, "mona", TEST_PASSWORD)
    page.click("header >> text=RFM")
    page.wait_for_url(re.compile(r".*/marketing/rfm$"))
    # Three buyers rank 1, 2, 3 on recency and on frequency: scores 1, 3 and 5 on both
    # (1 + (rank − 1) × 5 ÷ 2, capped at 5).
    cells = page.locator("table.rfm-grid td[data-cell]")
    counts = dict(
        zip(
            cells.evaluate_all("cells => cells.map(c => c.dataset.cell)"),
            cells.all_inner_texts(),
            strict=True,
        )
    )
    assert {cell: n for cell, n in counts.items() if n != "0"} == {"11": "1", "33": "1", "55": "1"}
    assert len(counts) == 25
    _chart_drawn(page, "/marketing/rfm/monetary.json")


def test_the_value_page_shows_the_pyramid_and_lifetime_value(browser_page, committed_db):
    make_committed_user(committed_db, "mona", departments=["marketing"])
    ids = _buyers(committed_db)
    with committed_db.session() as session:
        # The published CDNOW parameters stand in for a fit: the page shows what is stored.
        session.add(
            ValueModel(
                currency="CNY",
                horizon_days=365,
                customers=3,
                repeat_buyers=2,
                r=0.243,
                alpha=4.414,
                a=0.793,
                b=2.426,
                bgnbd_log_likelihood=-9582.4,
                p=6.25,
                q=3.74,
                v=15.44,
                gamma_gamma_log_likelihood=-100.0,
            )
        )
        for customer_id, risk, p_alive in zip(
            ids, ("high", "medium", "low"), (0.1, 0.5, 0.9), strict=True
        ):
            session.add(
                CustomerValue(
                    customer_id=customer_id,
                    currency="CNY",
                    frequency=1,
                    recency_weeks=1.0,
                    age_weeks=5.0,
                    p_alive=p_alive,
                    expected_purchases=1.0,
                    expected_value=Decimal("10.00"),
                    churn_risk=risk,
                )
            )
        session.commit()
    page = browser_page
    sign_in(page, "mona", TEST_PASSWORD)
    page.click("header >> text=Customer value")
    page.wait_for_url(re.compile(r".*/marketing/value$"))
    # Three buyers: the top, big and medium tiers end at 3 × 1 %, 3 × 5 % and 3 × 20 %,
    # rounded down all 0, so all three (100 + 100 + 300 spent) are small customers.
    cells = page.locator("tr[data-tier='small'] td").all_inner_texts()
    assert cells[1:] == ["3", "500.00"]
    assert page.locator("tr[data-tier='top'] td").all_inner_texts()[1:] == ["0", "0"]
    model = page.inner_text("dl.value-model")
    assert "r 0.243 · α 4.414 · a 0.793 · b 2.426" in model and "p 6.25" in model
    assert "3 customers, 2 bought again; horizon 365 days." in page.inner_text("main")
    risks = {
        risk: page.locator(f"tr[data-risk='{risk}'] td").nth(1).inner_text()
        for risk in ("low", "medium", "high")
    }
    assert risks == {"low": "1", "medium": "1", "high": "1"}
    _chart_drawn(page, "/marketing/value/pyramid.json")
    _chart_drawn(page, "/marketing/value/churn.json")


def test_a_journey_made_on_the_journeys_page_enrols_on_its_event(
    browser_page, committed_db, committed_app
):
    make_committed_user(committed_db, "mona", departments=["marketing"])
    with committed_db.session() as session:
        customer = service.create_customer(
            session,
            {"code": "JB1", "name": "旅程客户", "kind": "person", "lifecycle_stage": "prospect"},
        )
        session.commit()
        customer_id = customer.id
    run_due_jobs(committed_app)  # the creation's events, before any journey exists
    page = browser_page
    sign_in(page, "mona", TEST_PASSWORD)
    page.click("header >> text=Journeys")
    page.wait_for_url(re.compile(r".*/marketing/journeys$"))
    page.fill("#journey-form input[name=name]", "成交关怀")
    page.check("#journey-form input[name=trigger][value=event]")
    page.select_option("#journey-form select[name=event]", "crm_customer_stage_changed")
    page.select_option("#journey-form select[name=event_value]", "customer")
    page.select_option("#journey-form select[name=step-0]", "wait")
    page.fill("#journey-form input[name=step-0-value]", "x")
    page.select_option("#journey-form select[name=step-1]", "tag")
    page.fill("#journey-form input[name=step-1-value]", "成交关怀")
    page.check("#journey-form input[name=activate]")
    page.click("#journey-form button[type=submit]")
    # A wait of "x" days is refused by the step's path; what was typed stays.
    page.locator("#journey-errors [data-error='steps[0].wait.days']").wait_for()
    assert page.input_value("#journey-form input[name=name]") == "成交关怀"
    page.screenshot(path="artifacts/screenshots/marketing-journey-form.png", full_page=True)
    page.fill("#journey-form input[name=step-0-value]", "3")
    page.click("#journey-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/marketing/journeys/\d+$"))
    assert "Lifecycle stage changed" in page.inner_text("main")
    with committed_db.session() as session:
        journey = session.scalar(sa.select(Journey).where(Journey.name == "成交关怀"))
        assert (journey.event, journey.event_value, journey.status) == (
            "crm_customer_stage_changed",
            "customer",
            "active",
        )
        assert journey.steps == [{"wait": {"days": 3}}, {"tag": {"name": "成交关怀"}}]
        service.update_customer(
            session, session.get(Customer, customer_id), {"lifecycle_stage": "customer"}
        )
        session.commit()
    run_due_jobs(committed_app)  # delivers the stage change to marketing
    with committed_db.session() as session:
        entries = session.scalars(sa.select(JourneyEntry.customer_id)).all()
        assert entries == [customer_id]
    page.reload()
    assert page.locator("tr[data-step='0'] td").last.inner_text() == "1"
