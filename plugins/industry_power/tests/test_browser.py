"""In a real browser: from a customer's 360° view to an account's load curve, drawn."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from crm_industry_power import profiles, readings, tariffs

from crm_host.sdk.customers import Record
from crm_host.sdk.customers import customer_service as customers
from crm_host.testing import TEST_PASSWORD
from crm_host.testing.console import make_committed_user, sign_in


def _seed(database, hand_made_day) -> tuple[int, int]:
    with database.session() as session:
        tariffs.save_tariff(
            session,
            {
                "code": "br-tou",
                "name": "大工业分时",
                "peak_price": "1.0",
                "flat_price": "0.6",
                "valley_price": "0.3",
                "periods": [{"period": "peak", "start": "18:00", "end": "21:00"}],
            },
        )
        customer = customers.create_customer(
            session, {"code": "BR1", "name": "苏州恒力钢铁", "kind": "organization"}
        )
        account = profiles.save_account(
            session,
            {
                "number": "3201009999",
                "customer_id": customer.id,
                "service_point": "星湖街 1 号",
                "category": "large_industry",
                "voltage_level": "10kV",
                "contracted_kva": "1000",
                "tariff": "br-tou",
            },
        )
        profiles.save_meter(session, {"number": "BR-M1", "account_id": account.id})
        records = [
            Record(
                slot + 2,
                {
                    "meter": "BR-M1",
                    "timestamp": f"2026-11-02 {slot // 4:02d}:{slot % 4 * 15:02d}",
                    "value": str(kw / 4),
                },
            )
            for slot, kw in enumerate(hand_made_day)
        ]
        readings.import_records(
            session, records, interval=15, unit="kWh", tz=ZoneInfo("Asia/Shanghai")
        )
        session.commit()
        return customer.id, account.id


def test_a_customer_s_load_curve_is_drawn(browser_page, committed_db, hand_made_day):
    customer_id, account_id = _seed(committed_db, hand_made_day)
    make_committed_user(committed_db, "zhang", departments=["power"])
    page = browser_page
    sign_in(page, "zhang", TEST_PASSWORD)
    page.goto(f"/customers/{customer_id}")
    page.click("text=3201009999")
    page.wait_for_url(f"**/power/accounts/{account_id}")
    page.fill("input#day", "2026-11-02")
    page.click("#day-form button[type=submit]")
    page.wait_for_url("**day=2026-11-02")
    page.wait_for_selector("div.chart canvas")
    assert "600.000" in page.inner_text("#metrics")
    Path("artifacts/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="artifacts/screenshots/power-load-curve.png", full_page=True)
