"""The segment builder in a real browser: choosing conditions updates the live count."""

from __future__ import annotations

import re

from crm_host.customers import service
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


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
