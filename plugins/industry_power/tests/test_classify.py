"""Service levels: each rule of the classification, stored in the pack's own table."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import classify
from crm_industry_power.models import ServiceClass

from crm_host.sdk import Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("fields", "level", "reason"),
    [
        ({"voltage_level": "110kV", "kva": "200"}, "key", "high_voltage"),
        ({"kva": "1250"}, "key", "capacity"),
        ({"kva": "400"}, "important", "capacity"),
        ({"kva": "400", "category": "agricultural"}, "ordinary", "default"),
        ({"kva": "8", "category": "residential", "voltage_level": "0.22kV"}, "ordinary", "default"),
    ],
)
def test_the_rules(db, make_account, fields, level, reason):
    account = make_account("C1", **fields)
    row = classify.classify(db, account, TODAY, SHANGHAI)
    assert (row.level, row.reason, row.annual_kwh) == (level, reason, 0)


def test_consumption_counts_over_the_last_year(db, make_account, import_text, day_csv):
    account = make_account("C2", meters=("C2-M",), kva="800", category="agricultural")
    # 1,000 kW all day: 24,000 kWh a day; 22 days make 528,000 kWh ≥ 500,000.
    for n in range(22):
        import_text(day_csv("C2-M", date(2026, 11, 1 + n), [1000.0] * 96))
    row = classify.classify(db, account, TODAY, SHANGHAI)
    assert (row.level, row.reason, row.annual_kwh) == ("important", "consumption", 528_000)
    # Recomputing replaces the row; it is counted once.
    assert classify.classify_all(db, TODAY, SHANGHAI)["important"] >= 1
    assert db.scalar(sa.select(sa.func.count()).select_from(ServiceClass)) >= 1


def test_the_level_over_the_api_and_on_the_360_view(app, db, api, make_account, power_user):
    account = make_account("C3", kva="1600")
    answer = api.get(f"/api/v1/power/accounts/{account.id}/service-level")
    assert answer.status_code == 200
    assert (answer.json["level"], answer.json["computed_at"]) == ("key", None)  # assessed now
    classify.classify(db, account, TODAY, SHANGHAI)
    db.commit()
    stored = api.get(f"/api/v1/power/accounts/{account.id}/service-level").json
    assert stored["level"] == "key" and stored["computed_at"] is not None
    from flask_login import login_user

    from crm_host.security.auth import LoginUser
    from crm_host.web._scoped import panels_for

    with app.test_request_context():
        login_user(LoginUser(power_user))
        panel = next(
            p
            for p in panels_for(db.get(Customer, account.customer_id), power_user)
            if p.template.startswith("power/")
        )
        assert panel.context["power_levels"] == {account.id: "key"}
