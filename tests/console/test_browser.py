"""The console in a real browser (Chromium through Playwright) against a live server."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.models import Customer
from crm_host.domain.customers import service
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


def _nav_plugins(page) -> set[str]:
    return set(
        page.locator("header nav li").evaluate_all("items => items.map(i => i.dataset.plugin)")
    )


def _menu_plugins(app) -> set[str]:
    return {name for name, _f, _a in get_host(app).plugins.implementations("crm_menu_items")}


def test_sales_and_service_users_each_see_only_their_modules(
    chromium, live_server, committed_app, committed_db
):
    make_committed_user(committed_db, "sally", departments=["sales"], role="agent")
    make_committed_user(committed_db, "sam", departments=["service"], role="agent")
    with_menus = _menu_plugins(committed_app)
    for username, mine, other, other_label in (
        ("sally", "sales", "service", "Service"),
        ("sam", "service", "sales", "Sales"),
    ):
        context = chromium.new_context(base_url=live_server)
        page = context.new_page()
        try:
            sign_in(page, username, TEST_PASSWORD)
            modules = page.locator("main p.muted").first.inner_text()
            assert mine.capitalize() in modules and other_label not in modules
            shown = _nav_plugins(page)
            assert shown <= {"host", mine}
            if mine in with_menus:
                assert mine in shown
            # Typing the other module's address is refused, naming the plugin.
            response = page.goto(f"/{other}/")
            assert response.status in (403, 404)
            if response.status == 403:
                assert f"({other})" in page.inner_text("main")
            page.screenshot(path=f"artifacts/screenshots/modules-{username}.png", full_page=True)
        finally:
            context.close()


def test_create_then_edit_with_an_error_next_to_the_field(browser_page, committed_db):
    make_committed_user(committed_db, "carla", departments=["sales"])
    page = browser_page
    sign_in(page, "carla", TEST_PASSWORD)
    page.click("text=Customers")
    page.click("text=New customer")
    page.fill("#f-code", "B-001")
    page.fill("#f-name", "杭州电机厂")
    page.select_option("#f-kind", "organization")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "杭州电机厂" in page.inner_text("h1")

    page.click("text=Edit")
    page.fill("#f-email", "not an email")
    page.click("main form button[type=submit]")
    error = page.locator("#e-email")
    assert error.inner_text() == "Not a valid email address."
    # The message sits inside the email field's own block, and the input is flagged.
    assert page.locator(".field.invalid #f-email").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-name") == "杭州电机厂"  # nothing typed is lost

    page.fill("#f-email", "office@motor.example.cn")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "office@motor.example.cn" in page.inner_text("#profile")
    with committed_db.session() as session:
        assert session.scalar(sa.select(Customer.email).where(Customer.code == "B-001")) == (
            "office@motor.example.cn"
        )


def test_merge_two_customers(browser_page, committed_db):
    make_committed_user(committed_db, "mia", departments=["sales"])
    with committed_db.session() as session:
        for code in ("K-1", "K-2"):
            service.create_customer(
                session, {"code": code, "name": f"Name {code}", "kind": "person"}
            )
        session.commit()
    page = browser_page
    sign_in(page, "mia", TEST_PASSWORD)
    page.goto("/customers/merge")
    page.fill("#f-survivor", "K-1")
    page.fill("#f-merged", "K-2")
    page.click("text=Compare")
    assert page.locator("text=Merged and deleted").is_visible()
    page.click("text=Merge now")
    page.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "K-2 was merged into K-1." in page.inner_text("main")
    with committed_db.session() as session:
        codes = session.scalars(sa.select(Customer.code).where(Customer.code.in_(["K-1", "K-2"])))
        assert list(codes) == ["K-1"]


def test_chinese_console_and_offline_charts(browser_page, committed_db):
    make_committed_user(committed_db, "li", departments=["sales"])
    page = browser_page
    sign_in(page, "li", TEST_PASSWORD)
    page.click("button[value=zh_Hans]")
    page.wait_for_selector("text=仪表盘")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    # The charts are drawn by the vendored ECharts: no network beyond the live server.
    chart = page.locator("[data-chart-url]").first
    chart.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-chart-url]').dataset.chartReady === 'true'"
    )
    assert chart.locator("canvas").count() >= 1
    page.goto("/customers")
    assert page.locator("h1").inner_text() == "客户"


def test_import_progress_updates_itself_until_done(
    browser_page, committed_app, committed_db, tmp_path
):
    from crm_host.runtime.facade import get_runtime

    make_committed_user(committed_db, "ivan", departments=["sales"])
    upload = tmp_path / "people.csv"
    rows = ["code,name,kind,email"] + [f"P{n:03d},人{n},person,p{n}@example.cn" for n in range(200)]
    rows.append("P999,,person,")  # refused: no name
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page = browser_page
    sign_in(page, "ivan", TEST_PASSWORD)
    page.goto("/customers/imports/new")
    page.set_input_files("#f-file", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/customers/imports/\d+$"))
    assert page.locator("#import-status").get_attribute("data-status") == "queued"
    # The worker runs beside the web server, as in the embedded default; htmx
    # refreshes the figures every second until the job is done.
    get_runtime(committed_app).start_worker_thread()
    try:
        page.wait_for_selector('#import-status[data-status="done"]', timeout=30_000)
    finally:
        get_runtime(committed_app).stop_worker_thread()
    status = page.inner_text("#import-status")
    assert "1 rows refused" in status
    with page.expect_download() as download:
        page.click("text=Download the rejected rows")
    assert "P999" in Path(download.value.path()).read_text(encoding="utf-8")
    with committed_db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 200


def test_layout_fits_a_tablet(chromium, live_server, committed_db):
    make_committed_user(committed_db, "tab", departments=["sales", "service"], role="manager")
    context = chromium.new_context(base_url=live_server, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        sign_in(page, "tab", TEST_PASSWORD)
        for path in ("/", "/customers", "/customers/new"):
            page.goto(path)
            # Nothing wider than the screen but the tables, which scroll in their own box.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than a tablet"
            assert page.locator("header nav").is_visible()
        page.screenshot(path="artifacts/screenshots/tablet-new-customer.png", full_page=True)
    finally:
        context.close()
