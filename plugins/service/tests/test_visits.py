"""Return visits (回访): scheduled after resolution, listed when due, outcome recorded
on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from crm_service import tickets, visits
from crm_service.models import ReturnVisit

from crm_host.sdk import Interaction, utcnow


def _resolved(db, customer, agent, at):
    ticket = tickets.open_ticket(
        db, customer_id=customer.id, ticket_type="fault_repair", subject="停电", at=at
    )
    tickets.assign(db, ticket, agent, at=at)
    tickets.transition(db, ticket, "resolved", at=at + timedelta(hours=2))
    db.commit()
    return ticket


def test_resolution_schedules_one_visit_a_day_later(db, customer, agent):
    at = datetime(2026, 1, 5, 8, tzinfo=UTC)
    ticket = _resolved(db, customer, agent, at)
    [visit] = db.scalars(sa.select(ReturnVisit))
    # Resolved 10:00, due 24 hours later, with the agent who resolved it.
    assert visit.ticket_id == ticket.id and visit.assignee_id == agent.id
    assert visit.due_at == datetime(2026, 1, 6, 10, tzinfo=UTC)
    tickets.transition(db, ticket, "in_progress")
    tickets.transition(db, ticket, "resolved")
    assert db.scalar(sa.select(sa.func.count()).select_from(ReturnVisit)) == 1
    assert visits.pending(db, now=datetime(2026, 1, 6, 9, 59, tzinfo=UTC)) == []
    assert visits.pending(db, now=datetime(2026, 1, 6, 10, tzinfo=UTC)) == [visit]


def test_the_delay_is_configurable(app, db, customer, agent):
    app.config["SERVICE_RETURN_VISIT_HOURS"] = 72
    try:
        with app.app_context():
            ticket = _resolved(db, customer, agent, datetime(2026, 1, 5, 8, tzinfo=UTC))
    finally:
        app.config.pop("SERVICE_RETURN_VISIT_HOURS")
    visit = db.scalar(sa.select(ReturnVisit).where(ReturnVisit.ticket_id == ticket.id))
    assert visit.due_at == datetime(2026, 1, 8, 10, tzinfo=UTC)


def test_agents_list_and_record_visits_through_api_console_and_cli(
    db, customer, agent, client_for, cli
):
    ticket = _resolved(db, customer, agent, utcnow() - timedelta(days=3))
    visit = db.scalar(sa.select(ReturnVisit))
    api = client_for(agent)
    listed = api.get("/api/v1/service/return-visits?mine=true")
    assert [row["id"] for row in listed.json] == [visit.id]
    bad = api.put(f"/api/v1/service/return-visits/{visit.id}/outcome", json={"outcome": "meh"})
    assert bad.status_code == 422 and "outcome" in str(bad.json)
    done = api.put(
        f"/api/v1/service/return-visits/{visit.id}/outcome",
        json={"outcome": "satisfied", "note": "来电确认已恢复供电"},
    )
    assert done.status_code == 200 and done.json["outcome"] == "satisfied"
    assert done.json["done_by_id"] == agent.id
    assert api.get("/api/v1/service/return-visits").json == []
    entry = db.scalar(
        sa.select(Interaction).where(
            Interaction.object_type == "service.ticket",
            Interaction.object_id == ticket.id,
            Interaction.subject.like("%Return visit: satisfied%"),
        )
    )
    assert entry is not None and entry.body == "来电确认已恢复供电"

    second = _resolved(db, customer, agent, utcnow() - timedelta(days=2))
    other = db.scalar(sa.select(ReturnVisit).where(ReturnVisit.ticket_id == second.id))
    page = api.get("/service/return-visits", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"#{second.id}" in html and "未联系上" in html
    posted = api.post(f"/service/return-visits/{other.id}", data={"outcome": "not_reached"})
    assert posted.status_code == 302
    db.refresh(other)
    assert other.outcome == "not_reached"

    third = _resolved(db, customer, agent, utcnow() - timedelta(days=2))
    pending = db.scalar(sa.select(ReturnVisit).where(ReturnVisit.ticket_id == third.id))
    assert f"{pending.id:<6} due" in cli("service", "visits", "list").output
    recorded = cli(
        "service", "visits", "record", str(pending.id), "not_satisfied", "--note", "嫌慢"
    )
    assert recorded.exit_code == 0, recorded.output
    db.refresh(pending)
    assert (pending.outcome, pending.note) == ("not_satisfied", "嫌慢")
