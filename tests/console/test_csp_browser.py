"""The console under its Content-Security-Policy in Chromium: nothing refused, all working."""

from __future__ import annotations

from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


def test_console_pages_break_no_rule_of_the_policy(browser_page, committed_db):
    make_committed_user(committed_db, "csp", departments=["sales", "marketing"], role="manager")
    page = browser_page
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto("/login")
    # The sign-in form's width comes from the stylesheet now, not a style attribute.
    assert page.locator("main form.card").evaluate("f => getComputedStyle(f).maxWidth") == "384px"
    sign_in(page, "csp", TEST_PASSWORD)
    chart = page.locator("[data-chart-url]").first
    chart.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-chart-url]').dataset.chartReady === 'true'"
    )
    # charts.js gave the chart the height its template asked for.
    wanted = chart.get_attribute("data-chart-height")
    assert chart.evaluate("c => c.style.height") == wanted
    assert chart.locator("canvas").count() >= 1
    for path in ("/sales/", "/customers", "/customers/imports/new", "/marketing/"):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
    assert refused == []
