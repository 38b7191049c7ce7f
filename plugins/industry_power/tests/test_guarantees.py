"""Service guarantees: due times on the host's clock engine across weekends and holidays,
breaches marked once with the credit owed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import guarantees
from crm_industry_power.jobs import GUARANTEES_JOB
from crm_industry_power.models import Guarantee

from crm_host.sdk import AuditLog, BusinessCalendar, ValidationFailed, clocks, enqueue, utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def office(db):
    """Mon–Fri 09:00–17:00 in Shanghai; New Year's Day 2027 (a Friday) off."""
    clocks.save_calendar(
        db,
        "power-office",
        BusinessCalendar(
            timezone="Asia/Shanghai",
            hours={day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
            holidays=[date(2027, 1, 1)],
        ),
    )
    db.commit()
    return "power-office"


@pytest.fixture
def types(db, office):
    """Restore within 24 hours (credit 50), billing query within 3 working days (20),
    7 days' notice of a planned outage (100), an appointment window (30)."""
    rows = {}
    for code, kind, value, unit, calendar, credit in [
        ("restore", "within", 24, "hours", "24x7", "50"),
        ("billing_query", "within", 3, "working_days", office, "20"),
        ("outage_notice", "before_event", 7, "days", "24x7", "100"),
        ("appointment", "before_event", 0, "minutes", "24x7", "30"),
    ]:
        rows[code] = guarantees.save_type(
            db,
            {
                "code": code,
                "name": code.replace("_", " "),
                "kind": kind,
                "target_value": value,
                "target_unit": unit,
                "calendar": calendar,
                "credit_amount": credit,
            },
        )
    db.commit()
    return rows


def test_a_working_day_is_the_calendar_s_normal_day(office, db):
    calendar = BusinessCalendar.from_dict(clocks.calendar_row(db, office).definition)
    assert guarantees.working_day(calendar) == timedelta(hours=8)


def test_three_working_days_skip_the_holiday_and_the_weekend(db, types, account):
    # Thu 2026-12-31 15:00: 2 h that day; Fri 01-01 a holiday; Sat and Sun off;
    # Mon 01-04 8 h (10), Tue 01-05 8 h (18), Wed 01-06 6 h more (24) → 15:00.
    row = guarantees.start(
        db,
        {"type": "billing_query", "account_id": account.id, "started_at": local(2026, 12, 31, 15)},
    )
    assert row.due_at == local(2027, 1, 6, 15).astimezone(UTC)
    assert row.customer_id == account.customer_id
    # Asked on Saturday 01-02 10:00: the clock waits for Monday 09:00 → Wed 17:00.
    weekend = guarantees.start(
        db, {"type": "billing_query", "account_id": account.id, "started_at": local(2027, 1, 2, 10)}
    )
    assert weekend.due_at == local(2027, 1, 6, 17).astimezone(UTC)


def test_restore_outage_notice_and_appointment_due_times(db, types, account):
    # 24 hours round the clock, across the weekend: Sat 10:00 → Sun 10:00.
    restore = guarantees.start(
        db, {"type": "restore", "account_id": account.id, "started_at": local(2027, 1, 2, 10)}
    )
    assert restore.due_at == local(2027, 1, 3, 10).astimezone(UTC)
    # Outage on 12-10 08:00, planned on 12-01: notice due 7 days before, 12-03 08:00.
    notice = guarantees.start(
        db,
        {
            "type": "outage_notice",
            "account_id": account.id,
            "started_at": local(2026, 12, 1, 10),
            "event_at": local(2026, 12, 10, 8),
        },
    )
    assert notice.due_at == local(2026, 12, 3, 8).astimezone(UTC)
    # Planned only 3 days ahead: the notice is late from the start.
    late = guarantees.start(
        db,
        {
            "type": "outage_notice",
            "account_id": account.id,
            "started_at": local(2026, 12, 7, 10),
            "event_at": local(2026, 12, 10, 8),
        },
    )
    assert late.due_at == local(2026, 12, 7, 10).astimezone(UTC)
    # An appointment window 09:00–12:00: due at its end.
    visit = guarantees.start(
        db,
        {
            "type": "appointment",
            "account_id": account.id,
            "started_at": local(2026, 12, 4, 18),
            "event_at": local(2026, 12, 5, 12),
        },
    )
    assert visit.due_at == local(2026, 12, 5, 12).astimezone(UTC)


def test_bad_types_and_starts_name_the_field(db, types, account):
    with pytest.raises(ValidationFailed) as error:
        guarantees.save_type(
            db,
            {
                "code": "Bad Code",
                "name": "",
                "kind": "before_event",
                "target_value": -1,
                "target_unit": "working_days",
                "calendar": "nowhere",
                "credit_amount": "lots",
            },
        )
    assert set(error.value.details) == {
        "code",
        "name",
        "target_value",
        "target_unit",
        "calendar",
        "credit_amount",
    }
    with pytest.raises(ValidationFailed) as error:
        guarantees.start(db, {"type": "outage_notice", "account_id": account.id})
    assert set(error.value.details) == {"event_at"}
    with pytest.raises(ValidationFailed) as error:
        guarantees.start(db, {"type": "nope", "customer_id": 999999})
    assert set(error.value.details) == {"type", "customer_id"}


def test_a_breach_is_marked_once_with_the_credit_owed(db, types, account, run_jobs):
    now = utcnow()
    missed = guarantees.start(
        db,
        {"type": "restore", "account_id": account.id, "started_at": now - timedelta(hours=25)},
    )
    kept = guarantees.start(
        db,
        {"type": "restore", "account_id": account.id, "started_at": now - timedelta(hours=2)},
    )
    guarantees.met(db, kept)
    db.commit()
    missed_id, kept_id = missed.id, kept.id
    for _ in range(2):
        enqueue(db, GUARANTEES_JOB)
        db.commit()
        run_jobs(names=[GUARANTEES_JOB])
    db.expire_all()
    assert db.get(Guarantee, missed_id).credit_owed == Decimal("50.00")
    assert db.get(Guarantee, kept_id).credit_owed is None
    marks = db.scalars(sa.select(AuditLog.object_id).where(AuditLog.action == "breached")).all()
    assert marks == [str(missed_id)]


def test_guarantees_through_the_api(api, app, db, types, account, make_user, client_for):
    started = api.post(
        "/api/v1/power/guarantees",
        json={
            "type": "billing_query",
            "account_id": account.id,
            "reference": "电费查询 Q-1",
            "started_at": "2026-12-31T15:00:00+08:00",
        },
    )
    assert started.status_code == 201, started.json
    assert started.json["due_at"] == "2027-01-06T07:00:00+00:00"
    # Restore within 24 hours, started now: met at once, in time; a second time refused.
    now = api.post(
        "/api/v1/power/guarantees", json={"type": "restore", "account_id": account.id}
    ).json
    met = api.post(f"/api/v1/power/guarantees/{now['id']}/met")
    assert met.status_code == 200 and met.json["met_at"] is not None
    assert met.json["breached_at"] is None
    assert api.post(f"/api/v1/power/guarantees/{now['id']}/met").status_code == 409
    listed = api.get(f"/api/v1/power/guarantees?customer_id={account.customer_id}").json
    assert isinstance(listed, list), listed
    assert [g["id"] for g in listed] == [now["id"], started.json["id"]]
    # Defining a type is for administrators: the credit is the company's money.
    refused = api.post(
        "/api/v1/power/guarantee-types",
        json={
            "code": "x",
            "name": "x",
            "kind": "within",
            "target_value": 1,
            "target_unit": "hours",
            "credit_amount": "1",
        },
    )
    assert refused.status_code == 403
    admin = client_for(make_user("power-admin", departments=["power"], admin=True))
    bad = admin.post(
        "/api/v1/power/guarantee-types",
        json={
            "code": "x",
            "name": "x",
            "kind": "within",
            "target_value": 1,
            "target_unit": "hours",
            "calendar": "nowhere",
            "credit_amount": "1",
        },
    )
    assert bad.status_code == 422 and "calendar" in bad.json["errors"]


def test_guarantees_from_the_shell_and_the_console(
    cli, db, office, account, client_for, power_user
):
    added = cli(
        "power", "guarantees", "add-type", "billing_query", "电费查询答复",
        "--target", "3", "--unit", "working_days", "--calendar", office, "--credit", "20",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    started = cli(
        "power", "guarantees", "start", "billing_query", "--account", "A1",
        "--started", "2026-12-31T15:00",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "due 2027-01-06 15:00" in started.output
    listed = cli("power", "guarantees", "list")
    assert "billing_query\tdue 2027-01-06 15:00\tmet -" in listed.output
    page = client_for(power_user).get("/power/guarantees").get_data(as_text=True)
    assert 'data-due="2027-01-06T07:00:00+00:00"' in page
