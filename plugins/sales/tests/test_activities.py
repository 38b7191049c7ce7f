"""Activities: planned over the API, reminded once by the scheduled job, on the timeline when done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from crm_sales import activities, pipeline
from crm_sales.models import Activity

from crm_host.runtime.facade import get_runtime
from crm_host.sdk import Interaction
from crm_host.testing.tables import Notification

DUE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_an_activity_on_an_opportunity_lands_on_the_customers_timeline(
    api, db, seller, make_customer
):
    customer = make_customer()
    deal = pipeline.create_opportunity(db, {"name": "d", "customer_id": customer.id})
    db.commit()
    planned = api.post(
        "/api/v1/sales/activities",
        json={
            "kind": "call",
            "subject": "确认报价",
            "due_at": "2026-12-01T10:00:00+08:00",
            "opportunity_id": deal.id,
        },
    )
    assert planned.status_code == 201, planned.json
    body = planned.json
    # The opportunity's customer is filled in; the caller owns it; times are UTC.
    assert (body["customer_id"], body["owner_id"]) == (customer.id, seller.id)
    assert body["due_at"].startswith("2026-12-01T02:00:00")
    done = api.post(f"/api/v1/sales/activities/{body['id']}/done")
    assert done.status_code == 200 and done.json["done_at"] is not None
    entry = db.scalar(
        sa.select(Interaction).where(
            Interaction.object_type == "sales.activity", Interaction.object_id == body["id"]
        )
    )
    assert (entry.channel, entry.direction, entry.subject, entry.source_plugin) == (
        "phone",
        "outbound",
        "确认报价",
        "sales",
    )
    again = api.post(f"/api/v1/sales/activities/{body['id']}/done")
    assert again.status_code == 422
    listed = api.get(f"/api/v1/sales/activities?customer_id={customer.id}&open=false").json
    assert [a["id"] for a in listed["items"]] == [body["id"]]


def test_an_activity_must_be_about_something(api):
    refused = api.post(
        "/api/v1/sales/activities",
        json={"kind": "task", "subject": "x", "due_at": "2026-12-01T10:00:00+08:00"},
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "customer_id": ["Say which customer, lead or opportunity it is about."]
    }
    naive = api.post(
        "/api/v1/sales/activities",
        json={"kind": "task", "subject": "x", "due_at": "2026-12-01T10:00:00", "customer_id": 1},
    )
    assert naive.status_code == 422


@pytest.mark.hookspec("crm_register_jobs")
def test_reminders_go_once_to_the_owner_when_due_soon(app, db, seller, make_customer):
    customer = make_customer()
    soon = activities.create_activity(
        db,
        {"kind": "meeting", "subject": "拜访客户", "due_at": DUE, "customer_id": customer.id},
        actor=seller,
    )
    later = activities.create_activity(
        db,
        {
            "kind": "task",
            "subject": "later",
            "due_at": DUE + timedelta(hours=2),
            "customer_id": customer.id,
        },
        actor=seller,
    )
    db.commit()
    # Fifteen minutes ahead: the 02:00 meeting is due, the 04:00 task is not.
    assert activities.send_reminders(db, now=DUE - timedelta(minutes=15)) == 1
    assert activities.send_reminders(db, now=DUE - timedelta(minutes=10)) == 0
    titles = list(
        db.scalars(sa.select(Notification.title).where(Notification.user_id == seller.id))
    )
    assert titles == ["Due 2026-12-01 02:00 UTC: 拜访客户"]
    assert db.get(Activity, soon.id).reminded_at is not None
    assert db.get(Activity, later.id).reminded_at is None
    runtime = get_runtime(app)
    assert runtime.jobs.get("sales.remind") is not None
    assert "sales.remind" in runtime.jobs.schedules
