"""Schedules: one job per slot, per department that has the plugin enabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from crm_host.core.host import get_host
from crm_host.core.models import Department, Job
from crm_host.domain import lifecycle
from crm_host.runtime.scheduler import slot_start, tick

T = datetime(2026, 11, 23, 10, 15, 42, tzinfo=UTC)


# The built-in plugins register schedules of their own; these tests look at the host's
# and the fixture plugin's.
OURS = ("host.", "fxjobs.")


def scheduled(session):
    rows = session.execute(
        sa.select(Job.name, Department.code, Job.args)
        .outerjoin(Department, Department.id == Job.department_id)
        .order_by(Job.name, Department.code)
    )
    return [(name, code, args["slot"]) for name, code, args in rows if name.startswith(OURS)]


def ours(session, job_ids):
    names = session.scalars(sa.select(Job.name).where(Job.id.in_(job_ids)))
    return [name for name in names if name.startswith(OURS)]


def test_slots_are_cut_from_the_epoch():
    assert slot_start(T, timedelta(hours=1)) == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert slot_start(T, timedelta(minutes=10)) == datetime(2026, 11, 23, 10, 10, tzinfo=UTC)
    assert slot_start(T, timedelta(days=1)) == datetime(2026, 11, 23, tzinfo=UTC)


def test_ticking_twice_in_one_slot_enqueues_once_per_department(db, app):
    first = tick(app, now=T)
    again = tick(app, now=T + timedelta(seconds=10))  # the same slot of every schedule
    assert len(ours(db, first)) == 6 and again == []
    assert scheduled(db) == [
        ("fxjobs.hourly", "sales", "2026-11-23T10:00:00+00:00"),
        ("fxjobs.hourly", "service", "2026-11-23T10:00:00+00:00"),
        ("fxjobs.ten_minutes", None, "2026-11-23T10:10:00+00:00"),
        ("host.imports.cleanup", None, "2026-11-23T10:00:00+00:00"),
        ("host.prune", None, "2026-11-23T00:00:00+00:00"),
        ("host.send_email", None, "2026-11-23T10:15:00+00:00"),
    ]
    # The next hour: the hourly job per department, the ten-minute one, the
    # minutely mail run and the hourly upload cleanup; prune is daily.
    assert len(ours(db, tick(app, now=T + timedelta(hours=1)))) == 5


def test_schedules_follow_the_enablements(db, app):
    discovery = get_host(app).discovery
    lifecycle.disable(db, discovery, "fx_jobs", ["service"])
    lifecycle.enable(db, discovery, "fx_jobs", ["marketing"])
    db.commit()
    tick(app, now=T)
    departments = [code for name, code, _slot in scheduled(db) if name == "fxjobs.hourly"]
    assert departments == ["marketing", "sales"]


def test_scheduled_jobs_run_with_their_department_and_slot(db, app, fx, run_jobs):
    tick(app, now=T)
    run_jobs(names=["fxjobs.hourly"])
    sales, service = (
        db.scalar(sa.select(Department.id).where(Department.code == code))
        for code in ("sales", "service")
    )
    assert sorted(fx["fx_jobs"].RUNS) == [
        ("hourly", sales, "2026-11-23T10:00:00+00:00"),
        ("hourly", service, "2026-11-23T10:00:00+00:00"),
    ]


def test_crm_scheduler_once(cli, db):
    result = cli("scheduler", "--once")
    assert result.exit_code == 0
    total = db.scalar(sa.select(sa.func.count()).select_from(Job))
    assert result.output == f"enqueued {total} scheduled job(s)\n"
    assert len(scheduled(db)) == 6
