"""Key-customer inspections: plans, records moving the due date, and the overdue flag."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from crm_industry_power import inspections, profiles
from crm_industry_power.jobs import INSPECTIONS_JOB
from crm_industry_power.models import InspectionPlan

from crm_host.sdk import AuditLog, ValidationFailed, enqueue
from crm_host.testing.tables import Notification

TODAY = date(2026, 11, 30)


@pytest.fixture
def transformer(db, account):
    item = profiles.add_equipment(
        db, account, {"kind": "transformer", "name": "1#主变", "rated_kva": "1000"}
    )
    db.commit()
    return item


@pytest.fixture
def plan(db, account, transformer, power_user):
    row = inspections.save_plan(
        db,
        {
            "account_id": account.id,
            "equipment_id": transformer.id,
            "interval_days": 30,
            "next_due": date(2026, 11, 10),
            "responsible_id": power_user.id,
        },
    )
    db.commit()
    return row


def _record(db, plan, on, result="ok", **extra):
    row = inspections.record(db, plan, {"inspected_on": on, "result": result, **extra}, today=TODAY)
    db.commit()
    return row


def test_an_inspection_moves_the_due_date_by_the_interval(db, plan):
    # 2026-11-08 + 30 days = 2026-12-08 (November has 30 days: 22 left, then 8).
    _record(db, plan, date(2026, 11, 8))
    assert plan.next_due == date(2026, 12, 8)
    # An old record entered late never pulls the due date back: 10-01 + 30 = 10-31.
    _record(db, plan, date(2026, 10, 1), kind="check")
    assert plan.next_due == date(2026, 12, 8)
    assert [r.inspected_on for r in inspections.records(db, plan.id)] == [
        date(2026, 11, 8),
        date(2026, 10, 1),
    ]


def test_a_yearly_check_across_a_leap_day(db, account):
    plan = inspections.save_plan(
        db, {"account_id": account.id, "interval_days": 365, "next_due": date(2027, 3, 1)}
    )
    inspections.record(
        db, plan, {"inspected_on": date(2027, 3, 1), "result": "ok"}, today=date(2027, 3, 1)
    )
    # 2027-03-01 → 2028-03-01 is 366 days (2028-02-29 lies between): 365 days is Feb 29.
    assert plan.next_due == date(2028, 2, 29)


def test_bad_plans_and_records_are_refused_naming_the_field(db, plan, account, make_account):
    other = make_account("A2")
    foreign = profiles.add_equipment(db, other, {"kind": "motor", "name": "水泵"})
    with pytest.raises(ValidationFailed) as error:
        inspections.save_plan(
            db,
            {
                "account_id": account.id,
                "equipment_id": foreign.id,
                "interval_days": 0,
                "next_due": "soon",
            },
        )
    assert set(error.value.details) == {"equipment_id", "interval_days", "next_due"}
    with pytest.raises(ValidationFailed) as error:
        inspections.record(
            db, plan, {"inspected_on": date(2026, 12, 1), "result": "defect"}, today=TODAY
        )
    assert set(error.value.details) == {"inspected_on", "findings"}
    assert plan.next_due == date(2026, 11, 10)


def test_an_overdue_plan_is_flagged_once_per_due_date(db, plan, power_user):
    # Due 11-10: on the 10th it is due, not overdue.
    assert inspections.flag_overdue(db, date(2026, 11, 10)) == []
    assert inspections.flag_overdue(db, date(2026, 11, 11)) == [plan.id]
    assert inspections.flag_overdue(db, date(2026, 11, 12)) == []  # same due date
    db.commit()
    notes = db.scalars(sa.select(Notification).where(Notification.user_id == power_user.id)).all()
    assert [n.title for n in notes] == ["Inspection overdue at A1: due 2026-11-10"]
    # Inspected on the 20th: due 12-20, overdue again from the 21st, flagged again once.
    _record(db, plan, date(2026, 11, 20))
    assert inspections.flag_overdue(db, date(2026, 12, 20)) == []
    assert inspections.flag_overdue(db, date(2026, 12, 21)) == [plan.id]
    assert inspections.flag_overdue(db, date(2026, 12, 21)) == []


def test_the_schedule_flags_overdue_plans_and_is_safe_to_rerun(db, plan, run_jobs):
    for _ in range(2):
        enqueue(db, INSPECTIONS_JOB, {"today": "2026-11-15"})
        db.commit()
        run_jobs(names=[INSPECTIONS_JOB])
    marks = db.scalars(
        sa.select(AuditLog.object_id).where(AuditLog.action == "inspection_overdue")
    ).all()
    assert marks == [str(plan.id)]
    db.refresh(plan)
    assert plan.flagged_due == date(2026, 11, 10)


def test_inspections_through_the_api(api, db, account, transformer, power_user):
    created = api.post(
        "/api/v1/power/inspection-plans",
        json={
            "account_id": account.id,
            "equipment_id": transformer.id,
            "interval_days": 90,
            "next_due": "2026-11-01",
            "responsible_id": power_user.id,
        },
    )
    assert created.status_code == 201, created.json
    plan_id = created.json["id"]
    assert created.json["overdue"] is True  # due 11-01, long gone
    overdue = api.get("/api/v1/power/inspection-plans?overdue=true").json
    assert [p["id"] for p in overdue] == [plan_id]
    mine = api.get(f"/api/v1/power/inspection-plans?account_id={account.id}").json
    assert [p["id"] for p in mine] == [plan_id]
    done = api.post(
        f"/api/v1/power/inspection-plans/{plan_id}/records",
        json={
            "inspected_on": "2026-11-20",
            "kind": "check",
            "result": "defect",
            "findings": "油位偏低",
            "follow_up": "补油并复查",
        },
    )
    assert done.status_code == 201, done.json
    assert done.json["inspector_id"] == power_user.id
    # 2026-11-20 + 90 days: 10 more in November, 31 in December, 31 in January → 02-18.
    plan = api.get(f"/api/v1/power/inspection-plans/{plan_id}").json
    assert plan["next_due"] == "2027-02-18" and plan["overdue"] is False
    bad = api.post(
        "/api/v1/power/inspection-plans",
        json={"account_id": 999999, "interval_days": 30, "next_due": "2026-12-01"},
    )
    assert bad.status_code == 422 and "account_id" in bad.json["errors"]
    records = api.get(f"/api/v1/power/inspection-plans/{plan_id}/records").json
    assert [r["findings"] for r in records] == ["油位偏低"]


def test_inspections_from_the_shell(cli, db, account, power_user):
    planned = cli(
        "power",
        "inspections",
        "plan",
        "A1",
        "--every",
        "30",
        "--due",
        "2026-11-01",
        "--responsible",
        power_user.username,
    )
    assert planned.exit_code == 0, planned.output
    assert "next inspection due 2026-11-01" in planned.output
    listed = cli("power", "inspections", "list", "--overdue")
    assert "A1\tservice point\tevery 30 days\tdue 2026-11-01 OVERDUE" in listed.output
    checked = cli("power", "inspections", "check")
    assert "1 plan(s) newly flagged overdue" in checked.output
    again = cli("power", "inspections", "check")
    assert "0 plan(s) newly flagged overdue" in again.output
    plan_id = db.scalar(sa.select(InspectionPlan.id))
    recorded = cli(
        "power", "inspections", "record", str(plan_id), "--result", "ok", "--date", "2026-11-25"
    )
    # 2026-11-25 + 30 days = 2026-12-25.
    assert "next inspection due 2026-12-25" in recorded.output


def test_inspection_pages(client_for, power_user, db, plan):
    console = client_for(power_user)
    listing = console.get("/power/inspections").get_data(as_text=True)
    assert f'data-plan="{plan.id}"' in listing and "2026-11-10" in listing
    answer = console.post(
        f"/power/inspections/{plan.id}",
        data={"inspected_on": "2026-11-28", "kind": "patrol", "result": "ok", "findings": ""},
    )
    assert answer.status_code == 302
    page = console.get(f"/power/inspections/{plan.id}").get_data(as_text=True)
    # 2026-11-28 + 30 days = 2026-12-28.
    assert 'data-next-due="2026-12-28"' in page
    refused = console.post(
        f"/power/inspections/{plan.id}", data={"inspected_on": "x", "result": "ok"}
    )
    assert refused.status_code == 302
    assert len(inspections.records(db, plan.id)) == 1
