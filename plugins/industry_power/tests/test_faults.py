"""Fault reports: a service ticket when service is installed, a local record without it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from crm_industry_power import faults, profiles
from crm_industry_power.models import Fault

from crm_host.domain.directory import create_user
from crm_host.sdk import Interaction, get_host
from crm_host.sdk.customers import customer_service as customers
from crm_host.testing import build_app, login, prepare_database


def test_with_service_a_fault_opens_a_fault_repair_ticket(db, account, api):
    from crm_service.models import Ticket, TicketType

    answer = api.post(
        f"/api/v1/power/accounts/{account.id}/faults",
        json={"description": "变压器跳闸，全厂停电", "contact_phone": "13800138000"},
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "ticketed"
    ticket = db.get(Ticket, answer.json["ticket_id"])
    assert ticket.customer_id == account.customer_id
    assert db.get(TicketType, ticket.type_id).code == "fault_repair"
    assert ticket.subject == f"Fault at A1: {account.service_point}"
    assert "13800138000" in ticket.description


def test_resolving_the_ticket_resolves_the_fault(app, db, account, run_jobs):
    from crm_service import tickets
    from crm_service.models import Ticket

    # The command writes in the caller's session, the application's: so does the caller.
    with app.app_context():
        session = get_host().session
        fault = faults.report_fault(
            session, session.get(type(account), account.id), {"description": "线路故障"}
        )
        session.commit()
        fault_id = fault.id
    fault = db.get(Fault, fault_id)
    ticket = db.get(Ticket, fault.ticket_id)
    tickets.transition(db, ticket, "resolved")
    db.commit()
    run_jobs()
    db.refresh(fault)
    assert fault.status == "resolved"
    # The repair's return visit (回访) is service's: its ticket flow schedules one.
    from crm_service.models import ReturnVisit

    visit = db.scalar(sa.select(ReturnVisit).where(ReturnVisit.ticket_id == fault.ticket_id))
    assert visit is not None and visit.done_at is None and visit.due_at > ticket.resolved_at


def test_bad_reports_are_refused(db, account, api):
    answer = api.post(f"/api/v1/power/accounts/{account.id}/faults", json={"description": ""})
    assert answer.status_code == 422 and "description" in answer.json["errors"]["json"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Fault)) == 0


def test_without_service_the_app_starts_and_the_fault_is_recorded(crm_databases, tmp_path):
    url = crm_databases.create("power_alone")
    prepare_database(url, ["industry_power"], {"power": ("Power Marketing", ["industry_power"])})
    app = build_app(url, tmp_path)
    assert "service" not in {p.name for p in get_host(app).plugins.loaded}
    with app.app_context():
        session = get_host(app).session
        user = create_user(
            session, username="alone", password="password-1", departments=["power"], role="manager"
        )
        customer = customers.create_customer(
            session, {"code": "AL1", "name": "独立客户", "kind": "person"}
        )
        account = profiles.save_account(
            session,
            {
                "number": "AL-1",
                "customer_id": customer.id,
                "service_point": "郊区配电房",
                "category": "residential",
                "voltage_level": "0.22kV",
                "contracted_kva": "8",
            },
        )
        session.commit()
        ids = (user.id, account.id, customer.id)
        client = login(app.test_client(), user)
    answer = client.post(f"/api/v1/power/accounts/{ids[1]}/faults", json={"description": "停电"})
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "recorded" and answer.json["ticket_id"] is None
    result = app.test_cli_runner().invoke(
        args=["power", "report-fault", "AL-1", "电表不走"], catch_exceptions=False
    )
    assert (
        result.exit_code == 0 and "recorded (the service plugin is not installed)" in result.output
    )
    with app.app_context():
        session = get_host(app).session
        entries = session.scalars(
            sa.select(Interaction.subject).where(Interaction.customer_id == ids[2])
        ).all()
        assert entries == ["Fault at AL-1: 郊区配电房"] * 2
    get_host(app).db.dispose()


def test_the_arrival_clock_runs_until_the_crew_checks_in(app, db, account, api, run_jobs):
    from datetime import timedelta

    from crm_industry_power.jobs import ARRIVALS_JOB

    from crm_host.sdk import AuditLog, enqueue, utcnow

    rural = api.post(
        f"/api/v1/power/accounts/{account.id}/faults",
        json={"description": "10kV 线路断线", "area": "rural"},
    ).json
    clock = api.get(f"/api/v1/power/faults/{rural['id']}/arrival").json
    assert clock["breached"] is False and clock["arrived_at"] is None
    reported = db.get(Fault, rural["id"]).reported_at
    assert clock["due_at"] == (reported + timedelta(minutes=90)).isoformat()
    arrived = api.post(f"/api/v1/power/faults/{rural['id']}/arrival")
    assert arrived.status_code == 200 and arrived.json["breached"] is False
    assert arrived.json["arrived_at"] is not None
    again = api.post(f"/api/v1/power/faults/{rural['id']}/arrival")
    assert again.status_code == 409

    # An urban fault (45 minutes) reported an hour ago, nobody there yet: breached, once.
    with app.app_context():
        session = get_host().session
        late = faults.report_fault(
            session,
            session.get(type(account), account.id),
            {"description": "小区停电"},
            at=utcnow() - timedelta(hours=1),
        )
        session.commit()
        late_id = late.id
    assert api.get(f"/api/v1/power/faults/{late_id}/arrival").json["breached"] is True
    for _ in range(2):
        enqueue(db, ARRIVALS_JOB)
        db.commit()
        run_jobs(names=[ARRIVALS_JOB])
    marks = db.scalars(
        sa.select(AuditLog.object_id).where(AuditLog.action == "arrival_breached")
    ).all()
    assert marks == [str(late_id)]


def test_the_database_refuses_a_fault_status_it_does_not_know(db, account):
    fault = Fault(account_id=account.id, customer_id=account.customer_id, description="断电")
    db.add(fault)
    db.flush()
    # Past the model, straight in SQL: the named CHECK of power0009 refuses it.
    with pytest.raises(sa.exc.IntegrityError), db.begin_nested():
        db.execute(
            sa.text("UPDATE power_faults SET status = 'lost' WHERE id = :id"), {"id": fault.id}
        )
    db.refresh(fault)
    assert fault.status == "recorded"
