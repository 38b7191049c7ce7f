"""Journeys: triggers, waits, conditions, sends and tags; each customer's place recorded;
a re-run, or a run after a crash, sends and tags nothing twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, journeys, privacy, segments
from crm_marketing.models import Journey, JourneyAction, JourneyEntry, Send

from crm_host import timeline
from crm_host.db import utcnow
from crm_host.errors import ValidationFailed
from crm_host.models import Customer, EmailMessage

JIANGSU = {"any": [{"field": "city", "op": "in", "value": ["苏州", "南京"]}]}
SUZHOU = {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}


@pytest.fixture
def app_context(app):
    """Sends sign their unsubscribe links with the application's key."""
    with app.app_context():
        yield


def outbox(db):
    return Counter(db.scalars(sa.select(EmailMessage.to_address)))


def tags_of(db, customer):
    db.expire_all()
    return sorted(t.name for t in db.get(Customer, customer.id).tags)


@pytest.fixture
def welcome(db, make_customer):
    """Three customers and a journey: tag, send the welcome mail, wait 3 days, only
    Suzhou goes on, tag again."""
    people = {
        "suzhou": make_customer(city="苏州", email="sz@example.com", consent=["email"]),
        "nanjing": make_customer(city="南京", email="nj@example.com", consent=["email"]),
        "silent": make_customer(city="苏州", email="no@example.com"),
    }
    segment = segments.create_segment(db, {"name": "江苏", "rules": JIANGSU})
    mail = campaigns.create_campaign(
        db,
        {
            "name": "欢迎",
            "channel": "email",
            "segment_id": segment.id,
            "subject": "欢迎",
            "body": "{{ name }}，欢迎",
        },
    )
    journey = journeys.create_journey(
        db,
        {
            "name": "新客欢迎",
            "trigger": "segment",
            "segment_id": segment.id,
            "status": "active",
            "steps": [
                {"tag": {"name": "新客"}},
                {"send": {"campaign_id": mail.id}},
                {"wait": {"days": 3}},
                {"condition": {"rules": SUZHOU}},
                {"tag": {"name": "回访"}},
            ],
        },
    )
    db.commit()
    return journey, mail, people


def test_a_segment_journey_walks_each_customer_once(db, welcome, app_context):
    journey, mail, people = welcome
    assert journeys.advance(db, journey) == 3
    db.commit()
    # Tagged, mailed (with consent only), now waiting 3 days at step 3.
    assert outbox(db) == Counter({"sz@example.com": 1, "nj@example.com": 1})
    assert tags_of(db, people["silent"]) == ["新客"]
    entries = {e.customer_id: e for e in db.scalars(sa.select(JourneyEntry))}
    assert {e.step for e in entries.values()} == {3}
    assert all(e.due_at > utcnow() + timedelta(days=2) for e in entries.values())
    outcomes = dict(
        db.execute(
            sa.select(JourneyEntry.customer_id, JourneyAction.outcome)
            .join(JourneyEntry, JourneyEntry.id == JourneyAction.entry_id)
            .where(JourneyAction.step == 1)
        ).all()
    )
    assert outcomes == {
        people["suzhou"].id: "sent",
        people["nanjing"].id: "sent",
        people["silent"].id: "skipped",
    }
    # Running again before the wait is over changes nothing.
    assert journeys.advance(db, journey) == 0
    db.commit()
    assert sum(outbox(db).values()) == 2
    # Three days later: Suzhou customers go on and are tagged; Nanjing leaves.
    db.execute(sa.update(JourneyEntry).values(due_at=utcnow() - timedelta(minutes=1)))
    assert journeys.advance(db, journey) == 3
    db.commit()
    db.expire_all()
    status = {e.customer_id: e.status for e in db.scalars(sa.select(JourneyEntry))}
    assert status == {
        people["suzhou"].id: "done",
        people["nanjing"].id: "exited",
        people["silent"].id: "done",
    }
    assert tags_of(db, people["suzhou"]) == ["回访", "新客"]
    assert tags_of(db, people["nanjing"]) == ["新客"]
    assert sum(outbox(db).values()) == 2
    places = journeys.positions(db, journey)
    assert places[-1] == {"step": 5, "kind": "end", "waiting": 0, "done": 2, "exited": 1}
    # Nobody re-enters: the segment's members all have their place already.
    assert journeys.advance(db, journey) == 0


def test_a_crash_before_commit_is_redone_once(db, welcome, app_context):
    journey, mail, _people = welcome
    journeys.advance(db, journey)
    db.rollback()  # the worker died before committing: nothing of the run remains
    assert db.scalar(sa.select(sa.func.count()).select_from(JourneyEntry)) == 0
    journeys.advance(db, journey)
    db.commit()
    journeys.advance(db, journey)
    db.commit()
    assert sum(outbox(db).values()) == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(Send)) == 2


def test_the_schedule_runs_active_journeys_only(db, welcome, run_jobs):
    journey, _mail, _people = welcome
    journeys.set_status(db, journey, "paused")
    db.commit()
    from crm_host.runtime import enqueue

    enqueue(db, journeys.JOB, {})
    db.commit()
    run_jobs(names=[journeys.JOB])
    assert db.scalar(sa.select(sa.func.count()).select_from(JourneyEntry)) == 0
    journeys.set_status(db, db.get(Journey, journey.id), "active")
    enqueue(db, journeys.JOB, {})
    db.commit()
    run_jobs(names=[journeys.JOB])
    assert sum(outbox(db).values()) == 2


def test_a_resolved_ticket_enrols_its_customer_once(db, make_customer):
    """The event is delivered after commit (inline on the database queue) to marketing's
    handler, which finds the ticket's customer on the host's timeline."""
    from crm_host.runtime import emit

    customer = make_customer(city="苏州")
    journey = journeys.create_journey(
        db,
        {
            "name": "回访",
            "trigger": "event",
            "event": "crm_service_ticket_resolved",
            "status": "active",
            "steps": [{"wait": {"days": 1}}, {"tag": {"name": "已回访"}}],
        },
    )
    timeline.add_entry(
        db,
        customer_id=customer.id,
        channel="ticket",
        subject="#42 Ticket resolved",
        source_plugin="service",
        reference="service.ticket:42",
    )
    db.commit()
    for ticket_id in (42, 42, 999999):  # delivered twice; a ticket of nobody we know
        emit(db, "crm_service_ticket_resolved", ticket_id=ticket_id)
        db.commit()
    db.expire_all()
    entries = db.scalars(sa.select(JourneyEntry).where(JourneyEntry.journey_id == journey.id)).all()
    assert [e.customer_id for e in entries] == [customer.id]
    assert entries[0].step == 0 and entries[0].status == "waiting"


def test_bad_journeys_are_refused_naming_each_step(db):
    with pytest.raises(ValidationFailed) as refused:
        journeys.create_journey(
            db,
            {
                "name": "坏",
                "trigger": "event",
                "event": "crm_nothing",
                "steps": [
                    {"wait": {"days": -1}},
                    {"send": {"campaign_id": 999}},
                    {"bogus": {}},
                    {"condition": {"rules": {"all": [{"field": "nope", "op": "eq", "value": 1}]}}},
                ],
            },
        )
    assert set(refused.value.details) == {
        "event",
        "steps[0].wait.days",
        "steps[1].send.campaign_id",
        "steps[2]",
        "steps[3].condition.rules.all[0].field",
    }


def test_erasure_and_merge_take_journeys_along(db, welcome, app_context):
    journey, _mail, people = welcome
    journeys.advance(db, journey)
    db.commit()
    privacy.erase(db, people["silent"].id)
    assert {e.customer_id for e in db.scalars(sa.select(JourneyEntry))} == {
        people["suzhou"].id,
        people["nanjing"].id,
    }
    privacy.move_references(db, people["suzhou"].id, people["nanjing"].id)
    assert [e.customer_id for e in db.scalars(sa.select(JourneyEntry))] == [people["suzhou"].id]
    assert privacy.export(db, people["suzhou"].id)["journeys"][0]["journey_id"] == journey.id


def test_api_cli_and_console(db, welcome, api, cli, client_for, marketer, run_jobs):
    journey, mail, people = welcome
    made = api.post(
        "/api/v1/marketing/journeys",
        json={
            "name": "只打标签",
            "trigger": "segment",
            "segment_id": journey.segment_id,
            "steps": [{"tag": {"name": "江苏"}}],
        },
    )
    assert made.status_code == 201 and made.get_json()["status"] == "draft"
    bad = api.post(
        "/api/v1/marketing/journeys",
        json={"name": "x", "trigger": "segment", "segment_id": 999999, "steps": [{"wait": {}}]},
    )
    assert bad.status_code == 422
    assert {"segment_id", "steps[0].wait.days"} <= set(str(bad.get_json()).split("'"))
    tagging = made.get_json()["id"]
    activated = api.patch(f"/api/v1/marketing/journeys/{tagging}", json={"status": "active"})
    assert activated.status_code == 200
    assert api.post("/api/v1/marketing/journeys/advance").status_code == 202
    run_jobs(names=[journeys.JOB])
    entries = api.get(f"/api/v1/marketing/journeys/{tagging}/entries").get_json()["items"]
    assert sorted(e["customer_id"] for e in entries) == sorted(c.id for c in people.values())
    assert all(e["status"] == "done" for e in entries)
    assert tags_of(db, people["nanjing"]) == ["新客", "江苏"]
    assert api.get("/api/v1/marketing/journeys/999999").status_code == 404
    listed = cli("marketing", "journeys", "list").output.splitlines()
    assert listed[0] == f"{journey.id}\tactive\tsegment {journey.segment_id}\t5 steps\t3\t新客欢迎"
    assert cli("marketing", "journeys", "advance").output == "moved 0 customers on\n"
    created = cli(
        "marketing",
        "journeys",
        "create",
        '{"name": "命令行", "trigger": "event", "event": "crm_service_ticket_resolved",'
        ' "steps": [{"wait": {"days": 2}}]}',
    )
    assert created.output.endswith("draft: 命令行\n")
    console = client_for(marketer)
    page = console.get("/marketing/journeys", headers={"Accept-Language": "zh-CN"})
    assert "新客欢迎" in page.get_data(as_text=True) and "客户旅程" in page.get_data(as_text=True)
    detail = console.get(f"/marketing/journeys/{journey.id}").get_data(as_text=True)
    assert '<tr data-step="5">' in detail
    paused = console.post(f"/marketing/journeys/{journey.id}/status", data={"status": "paused"})
    assert paused.status_code == 302
    db.expire_all()
    assert db.get(Journey, journey.id).status == "paused"
    assert console.get("/marketing/journeys/999999").status_code == 404
