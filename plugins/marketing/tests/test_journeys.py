"""Journeys: triggers, waits, conditions, sends and tags; each customer's place recorded;
a re-run, or a run after a crash, sends and tags nothing twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from crm_marketing import campaigns, journeys, privacy, segments
from crm_marketing.models import Journey, JourneyAction, JourneyEntry, Send

from crm_host.sdk import Customer, EmailMessage, ValidationFailed, utcnow

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
    assert places[-1] == {
        "step": 5,
        "kind": "end",
        "waiting": 0,
        "done": 2,
        "exited": 1,
        "converted": 0,
    }
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
    from crm_host.sdk import enqueue

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
    handler for every event about customers, which enrols the ``customer_ids`` it names."""
    from crm_host.sdk import emit

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
    db.commit()
    # Delivered twice; then a ticket of a customer who has gone since.
    for ticket_id, customer_ids in ((42, [customer.id]), (42, [customer.id]), (43, [999_999])):
        emit(db, "crm_service_ticket_resolved", ticket_id=ticket_id, customer_ids=customer_ids)
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


# --- triggers: host and plugin events, delivered through the outbox -------------------


def event_journey(db, name, event, value=None, goal=None):
    """An active journey started by ``event`` that waits a day, then tags."""
    journey = journeys.create_journey(
        db,
        {
            "name": name,
            "trigger": "event",
            "event": event,
            "event_value": value,
            "goal": goal,
            "status": "active",
            "steps": [{"wait": {"days": 1}}, {"tag": {"name": name}}],
        },
    )
    db.commit()
    return journey


def walkers(db, journey):
    db.expire_all()
    return sorted(
        db.scalars(sa.select(JourneyEntry.customer_id).where(JourneyEntry.journey_id == journey.id))
    )


@pytest.mark.hookspec("crm_customers_created")
@pytest.mark.hookspec("crm_customers_imported")
@pytest.mark.hookspec("crm_customers_updated")
@pytest.mark.hookspec("crm_customer_stage_changed")
def test_host_events_enrol_their_customers_once(db, make_customer):
    """Each host event, emitted by the host's own services and delivered after commit,
    enrols the customers it names — only those meeting the journey's chosen value."""
    from crm_host.domain.customers.service import update_customer
    from crm_host.domain.importing.customers import CustomerImporter
    from crm_host.sdk import emit
    from crm_host.sdk.customers import Record

    created = event_journey(db, "新建", "crm_customers_created")
    imported = event_journey(db, "导入", "crm_customers_imported")
    tiered = event_journey(db, "改等级", "crm_customers_updated", "tier")
    won = event_journey(db, "成交客户", "crm_customer_stage_changed", "customer")
    staged = event_journey(db, "任意阶段", "crm_customer_stage_changed")
    wang = make_customer(name="王", lifecycle_stage="prospect")
    li = make_customer(name="李", lifecycle_stage="prospect")
    assert walkers(db, created) == sorted([wang.id, li.id])
    assert walkers(db, imported) == walkers(db, tiered) == walkers(db, staged) == []

    update_customer(db, wang, {"lifecycle_stage": "customer"})
    update_customer(db, li, {"lifecycle_stage": "inactive", "city": "苏州"})
    db.commit()
    assert walkers(db, won) == [wang.id]  # Li moved to "inactive", not "customer"
    assert walkers(db, staged) == sorted([wang.id, li.id])
    assert walkers(db, tiered) == []  # the city and the stage changed, not the tier
    update_customer(db, li, {"tier": "gold"})
    db.commit()
    assert walkers(db, tiered) == [li.id]

    result = CustomerImporter(db).import_batch(
        db,
        [
            Record(2, {"code": "IMP1", "name": "导入一", "kind": "person"}),
            Record(3, {"code": "IMP2", "name": "导入二", "kind": "person"}),
        ],
    )
    db.commit()
    assert len(result.created) == 2
    assert walkers(db, imported) == sorted(result.created)
    assert walkers(db, created) == sorted([wang.id, li.id])  # an import is not a creation

    # Redelivered, and an event naming a customer who has gone since: nothing changes.
    emit(db, "crm_customers_imported", customer_ids=[*result.created, 999_999])
    emit(db, "crm_customer_stage_changed", customer_id=wang.id, old="prospect", new="customer")
    db.commit()
    assert walkers(db, imported) == sorted(result.created)
    assert walkers(db, won) == [wang.id]
    counts = Counter(db.scalars(sa.select(JourneyEntry.journey_id)))
    assert counts == {created.id: 2, imported.id: 2, tiered.id: 1, won.id: 1, staged.id: 2}


@pytest.mark.hookspec("crm_service_ticket_created")
@pytest.mark.hookspec("crm_service_sla_breached")
@pytest.mark.hookspec("crm_sales_opportunity_won")
@pytest.mark.hookspec("crm_sales_lead_converted")
def test_plugin_events_enrol_the_customer_they_concern(db, make_customer):
    """Service's and sales' events, emitted by their own services, reach marketing's
    handler of every event about customers with the ``customer_ids`` they carry."""
    from crm_sales import pipeline
    from crm_service import tickets

    from crm_host.sdk import emit

    opened = event_journey(db, "新工单", "crm_service_ticket_created")
    resolved = event_journey(db, "已解决", "crm_service_ticket_resolved")
    late = event_journey(db, "处理超时", "crm_service_sla_breached", "resolution")
    deal = event_journey(db, "赢单", "crm_sales_opportunity_won")
    lead = event_journey(db, "线索转化", "crm_sales_lead_converted")
    zhao, qian = make_customer(name="赵"), make_customer(name="钱")

    ticket = tickets.open_ticket(db, customer_id=zhao.id, ticket_type="inquiry", subject="电费")
    db.commit()
    assert walkers(db, opened) == [zhao.id] and walkers(db, resolved) == []
    tickets.transition(db, ticket, "resolved")
    db.commit()
    assert walkers(db, resolved) == [zhao.id]
    breach = {"ticket_id": ticket.id, "customer_ids": [zhao.id]}
    emit(db, "crm_service_sla_breached", clock="first_response", **breach)
    db.commit()
    assert walkers(db, late) == []  # the journey waits for the resolution clock only
    emit(db, "crm_service_sla_breached", clock="resolution", **breach)
    db.commit()
    assert walkers(db, late) == [zhao.id]

    opportunity = pipeline.create_opportunity(db, {"name": "屋顶光伏", "customer_id": qian.id})
    db.commit()
    assert walkers(db, deal) == []
    pipeline.win(db, opportunity)
    db.commit()
    assert walkers(db, deal) == [qian.id]
    converted = {"lead_id": 1, "customer_id": qian.id, "opportunity_id": 1}
    emit(db, "crm_sales_lead_converted", customer_ids=[qian.id], **converted)
    emit(db, "crm_sales_lead_converted", customer_ids=[qian.id], **converted)
    db.commit()
    assert walkers(db, lead) == [qian.id]
    counts = Counter(db.scalars(sa.select(JourneyEntry.journey_id)))
    assert counts == {opened.id: 1, resolved.id: 1, late.id: 1, deal.id: 1, lead.id: 1}


def test_paused_journeys_and_other_events_enrol_nobody(db, make_customer):
    created = event_journey(db, "新建", "crm_customers_created")
    journeys.set_status(db, created, "paused")
    db.commit()
    make_customer()
    assert walkers(db, created) == []
    assert journeys.on_event(db, "crm_customer_erased", {"customer_id": 1}) == 0


def test_a_goal_takes_customers_out_as_converted(db, make_customer):
    """Customers meeting the goal leave at the next run, wherever they wait; the others
    walk on."""
    from crm_host.domain.customers.service import update_customer

    goal = {"all": [{"field": "lifecycle_stage", "op": "eq", "value": "customer"}]}
    journey = event_journey(db, "促成交", "crm_customers_created", goal=goal)
    zhou, wu, zheng = (make_customer(lifecycle_stage="prospect") for _ in range(3))
    assert journeys.advance(db, journey) == 3  # all three wait a day
    db.commit()
    update_customer(db, zhou, {"lifecycle_stage": "customer"})
    db.commit()
    assert journeys.advance(db, journey) == 0  # nobody due; Zhou converted all the same
    db.commit()
    db.execute(sa.update(JourneyEntry).values(due_at=utcnow() - timedelta(minutes=1)))
    update_customer(db, wu, {"lifecycle_stage": "customer"})
    db.commit()
    assert journeys.advance(db, journey) == 1  # Wu converts before the tag; Zheng is tagged
    db.commit()
    status = dict(db.execute(sa.select(JourneyEntry.customer_id, JourneyEntry.status)).all())
    assert status == {zhou.id: "converted", wu.id: "converted", zheng.id: "done"}
    assert tags_of(db, zheng) == ["促成交"] and tags_of(db, zhou) == tags_of(db, wu) == []
    assert journeys.positions(db, journey)[-1] == {
        "step": 2,
        "kind": "end",
        "waiting": 0,
        "done": 1,
        "exited": 0,
        "converted": 2,
    }


def test_bad_triggers_and_goals_are_refused_naming_the_field(db):
    def refused(**changes):
        data = {
            "name": "坏",
            "trigger": "event",
            "event": "crm_customer_stage_changed",
            "steps": [{"tag": {"name": "x"}}],
            **changes,
        }
        with pytest.raises(ValidationFailed) as error:
            journeys.create_journey(db, data)
        return error.value.details

    assert refused(event_value="vip") == {
        "event_value": ["Must be one of: lead, prospect, customer, inactive."]
    }
    assert refused(event="crm_customers_created", event_value="x") == {
        "event_value": ["crm_customers_created offers no choice: leave it empty."]
    }
    unknown = refused(event="crm_customer_merged")["event"][0]
    assert unknown.startswith("Must be one of: crm_customers_created, crm_customers_imported,")
    assert "crm_service_sla_breached" in unknown and "crm_customer_merged" not in unknown
    assert set(refused(goal={"all": [{"field": "nope", "op": "eq", "value": 1}]})) == {
        "goal.all[0].field"
    }
    assert set(refused(goal="customer")) == {"goal"}


def test_events_through_the_api_and_cli(db, api, cli):
    listed = api.get("/api/v1/marketing/journeys/events")
    assert listed.status_code == 200
    events = {e["event"]: e for e in listed.get_json()}
    assert len(events) == 9
    assert events["crm_customer_stage_changed"]["choices"] == [
        "lead",
        "prospect",
        "customer",
        "inactive",
    ]
    assert events["crm_service_ticket_resolved"] == {
        "event": "crm_service_ticket_resolved",
        "label": "Ticket resolved",
        "plugin": "service",
        "option": None,
        "choices": [],
    }
    goal = {"all": [{"field": "tier", "op": "eq", "value": "gold"}]}
    made = api.post(
        "/api/v1/marketing/journeys",
        json={
            "name": "成交后关怀",
            "trigger": "event",
            "event": "crm_customer_stage_changed",
            "event_value": "customer",
            "goal": goal,
            "steps": [{"wait": {"days": 7}}],
        },
    )
    assert made.status_code == 201
    assert (made.get_json()["event_value"], made.get_json()["goal"]) == ("customer", goal)
    bad = api.post(
        "/api/v1/marketing/journeys",
        json={
            "name": "坏",
            "trigger": "event",
            "event": "crm_customer_stage_changed",
            "event_value": "vip",
            "steps": [{"wait": {"days": 1}}],
        },
    )
    assert bad.status_code == 422 and "event_value" in str(bad.get_json())
    lines = cli("marketing", "journeys", "events").output.splitlines()
    assert len(lines) == 9
    assert lines[3] == (
        "crm_customer_stage_changed\thost\tLifecycle stage changed\t"
        "New stage: lead, prospect, customer, inactive"
    )
    journey_id = made.get_json()["id"]
    assert cli("marketing", "journeys", "list").output == (
        f"{journey_id}\tdraft\tcrm_customer_stage_changed=customer\t1 steps\t0\t成交后关怀\n"
    )


def test_the_console_form_makes_event_journeys_with_goals(db, client_for, marketer, make_user):
    console = client_for(marketer)
    page = console.get("/marketing/journeys", headers={"Accept-Language": "zh-CN"})
    text = page.get_data(as_text=True)
    assert "新建客户旅程" in text and "生命周期阶段变更" in text and "工单超出 SLA" in text
    form = {
        "name": "控制台旅程",
        "trigger": "event",
        "event": "crm_service_sla_breached",
        "event_value": "resolution",
        "step-0": "wait",
        "step-0-value": "2",
        "step-1": "tag",
        "step-1-value": "超时回访",
        "goal": '{"all": [{"field": "city", "op": "eq", "value": "苏州"}]}',
        "activate": "1",
    }
    created = console.post("/marketing/journeys", data=form)
    assert created.status_code == 302
    journey = db.scalar(sa.select(Journey).where(Journey.name == "控制台旅程"))
    assert (journey.event, journey.event_value, journey.status) == (
        "crm_service_sla_breached",
        "resolution",
        "active",
    )
    assert journey.steps == [{"wait": {"days": 2}}, {"tag": {"name": "超时回访"}}]
    assert journey.goal == {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}
    detail = console.get(created.headers["Location"]).get_data(as_text=True)
    assert "Ticket SLA breached" in detail and 'data-converted="0"' in detail
    wrong = console.post(
        "/marketing/journeys", data={**form, "name": "坏", "event_value": "vip", "goal": "{"}
    )
    assert wrong.status_code == 422
    assert 'data-error="goal"' in wrong.get_data(as_text=True)
    wrong = console.post(
        "/marketing/journeys",
        data={**form, "name": "坏", "event_value": "vip", "step-0-value": "x"},
    )
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert 'data-error="event_value"' in text and 'data-error="steps[0].wait.days"' in text
    reader = client_for(make_user("reader-zhu", departments=["marketing"], role="viewer"))
    assert reader.post("/marketing/journeys", data=form).status_code == 403
