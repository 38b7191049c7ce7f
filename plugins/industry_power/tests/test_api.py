"""The power API end to end: profile, upload, curve, metrics, advice, bills; bad input 4xx."""

from __future__ import annotations

import io


def _upload(api, text: str, **form):
    data = {"interval": "15", "unit": "kWh", **form, "file": (io.BytesIO(text.encode()), "r.csv")}
    return api.post("/api/v1/power/readings/import", data=data, content_type="multipart/form-data")


def test_profile_upload_curve_and_advice(api, db, make_customer, tariff, day_csv, hand_made_day):
    from datetime import date

    customer = make_customer(name="苏州恒力钢铁")
    account = api.post(
        "/api/v1/power/accounts",
        json={
            "number": "3201000001",
            "customer_id": customer.id,
            "service_point": "苏州工业园区星湖街 1 号",
            "category": "large_industry",
            "voltage_level": "10kV",
            "contracted_kva": 2000,
            "tariff": "ind-tou",
            "key_customer": True,
        },
    )
    assert account.status_code == 201, account.json
    account_id = account.json["id"]
    assert account.json["tariff"] == "ind-tou" and account.json["contracted_kva"] == "2000.0"
    meter = api.post(
        "/api/v1/power/meters", json={"number": "EM-1", "account_id": account_id, "multiplier": 1}
    )
    assert meter.status_code == 201, meter.json
    equipment = api.post(
        f"/api/v1/power/accounts/{account_id}/equipment",
        json={"kind": "transformer", "name": "1#主变", "rated_kva": 2000},
    )
    assert equipment.status_code == 201

    report = _upload(api, day_csv("EM-1", date(2026, 11, 2), hand_made_day))
    assert report.status_code == 200, report.json
    assert (report.json["new"], report.json["rejects"], report.json["gaps"]) == (96, [], [])

    curve = api.get(f"/api/v1/power/accounts/{account_id}/load-curve?day=2026-11-02")
    assert curve.status_code == 200
    assert len(curve.json["points"]) == 96 and curve.json["points"][76]["kw"] == 600
    assert curve.json["points"][76]["period"] == "peak"
    assert curve.json["metrics"]["max_kw"] == 600
    assert curve.json["metrics"]["cost"] == "4585.00"

    metrics = api.get(
        f"/api/v1/power/accounts/{account_id}/metrics?first=2026-11-01&last=2026-11-30"
    )
    assert metrics.json["days"] == 1 and metrics.json["energy_kwh"] == "6225"

    advice = api.post(
        f"/api/v1/power/accounts/{account_id}/advice", json={"last_day": "2026-11-02"}
    )
    assert advice.status_code == 200
    rules = {a["rule"]: a for a in advice.json}
    assert rules["capacity_reduction"]["monthly_saving"] == "33000.00"
    assert [a["rule"] for a in api.get("/api/v1/power/advice").json][0] == "capacity_reduction"

    bill = api.post(f"/api/v1/power/accounts/{account_id}/bills", json={"month": "2026-11"})
    assert bill.status_code == 200 and bill.json["amount"] == "64585.00"  # 4585 + 2000 × 30


def test_bad_input_is_a_4xx_naming_the_field(api, account):
    bad_category = api.post("/api/v1/power/accounts", json={"category": "industrial"})
    assert bad_category.status_code == 422
    assert "category" in bad_category.json["errors"]["json"]
    missing = api.post("/api/v1/power/accounts", json={"number": "X1"})
    assert missing.status_code == 422 and "customer_id" in missing.json["errors"]
    taken = api.post("/api/v1/power/meters", json={"number": "M1", "account_id": account.id})
    assert taken.status_code == 409
    assert _upload(api, "meter,timestamp,value\n", unit="kVArh").status_code == 422
    header = _upload(api, "meter;timestamp;value\nM1;2026-11-01 00:00;1\n")
    assert header.status_code == 422 and "file" in header.json["errors"]
    zone = _upload(api, "meter,timestamp,value\n", timezone="Mars/Olympus")
    assert zone.status_code == 422 and "timezone" in zone.json["errors"]
    wide = api.get(f"/api/v1/power/accounts/{account.id}/metrics?first=2026-11-30&last=2026-11-01")
    assert wide.status_code == 422
    month = api.post(f"/api/v1/power/accounts/{account.id}/bills", json={"month": "2026-13"})
    assert month.status_code == 422 and "month" in month.json["errors"]
    nothing = api.post(f"/api/v1/power/accounts/{account.id}/bills", json={"month": "2026-10"})
    assert nothing.status_code == 422
    overlap = api.post(
        "/api/v1/power/tariffs",
        json={
            "code": "bad",
            "name": "重叠",
            "peak_price": 1,
            "flat_price": 1,
            "valley_price": 1,
            "periods": [
                {"period": "peak", "start": "08:00", "end": "12:00"},
                {"period": "valley", "start": "11:00", "end": "13:00"},
            ],
        },
    )
    assert overlap.status_code in (403, 422)  # managers do not hold tariffs.manage
    assert api.get("/api/v1/power/accounts/999999").status_code == 404


def test_other_departments_are_refused(client_for, make_user, account):
    sales = client_for(make_user("sales-li", departments=["sales"]))
    answer = sales.get("/api/v1/power/accounts")
    assert answer.status_code == 403


def test_tariff_periods_are_checked(client_for, make_user):
    admin = client_for(make_user("admin-wu", departments=["power"], admin=True))
    overlap = admin.post(
        "/api/v1/power/tariffs",
        json={
            "code": "bad",
            "name": "重叠",
            "peak_price": 1,
            "flat_price": 1,
            "valley_price": 1,
            "periods": [
                {"period": "peak", "start": "08:00", "end": "12:00"},
                {"period": "valley", "start": "11:00", "end": "13:00"},
                {"period": "peak", "start": "25:00", "end": "26:00"},
            ],
        },
    )
    assert overlap.status_code == 422
    assert overlap.json["errors"]["periods"] == [
        "#3: '25:00' is not a time of day as HH:MM.",
        "08:00–12:00 overlaps 11:00–13:00.",
    ]
    good = admin.post(
        "/api/v1/power/tariffs",
        json={
            "code": "res",
            "name": "居民",
            "peak_price": "0.5583",
            "flat_price": "0.5583",
            "valley_price": "0.3583",
            "periods": [{"period": "valley", "start": "22:00", "end": "24:00"}],
        },
    )
    assert good.status_code == 201
    assert good.json["periods"] == [{"period": "valley", "start": "22:00", "end": "24:00"}]


def test_typical_day_and_daily_energy(api, account, import_text, day_csv, hand_made_day):
    from datetime import date

    import_text(day_csv("M1", date(2026, 11, 2), hand_made_day))
    import_text(day_csv("M1", date(2026, 11, 3), [300.0] * 96))
    query = "first=2026-11-01&last=2026-11-30"
    typical = api.get(f"/api/v1/power/accounts/{account.id}/typical-day?{query}").json
    assert (typical["days"], typical["interval"], len(typical["kw"])) == (2, 15, 96)
    assert typical["kw"][76] == 450
    daily = api.get(f"/api/v1/power/accounts/{account.id}/daily-energy?{query}").json
    assert [(d["day"], d["energy_kwh"], d["max_kw"]) for d in daily] == [
        ("2026-11-02", "6225", 600.0),
        ("2026-11-03", "7200", 300.0),
    ]


def test_days_at_the_ends_of_the_calendar_are_refused_not_crashed(api, account):
    far = api.get(f"/api/v1/power/accounts/{account.id}/load-curve?day=0001-01-01")
    assert far.status_code == 422 and "day" in far.json["errors"]["query"]
    upload = _upload(api, "meter,timestamp,value\nM1,0001-01-01T00:00+08:00,1\n")
    assert upload.status_code == 200
    assert (
        upload.json["rejects"][0]["reason"] == "timestamp '0001-01-01T00:00+08:00' is out of range"
    )
