"""The job queue: registration, idempotent enqueueing, retries, parking, recovery, claims."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_host.core.db import Database, utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Job
from crm_host.domain import lifecycle
from crm_host.plugins.facade import PluginError, PluginManager
from crm_host.runtime import queue as q
from crm_host.runtime.facade import enqueue, get_runtime
from crm_host.runtime.service import collect_jobs, register_host_jobs
from crm_host.runtime.settings import RuntimeSettings, SettingsError
from crm_host.testing import build_app, prepare_database

from .conftest import fixture_discovery


@pytest.mark.hookspec("crm_register_jobs")
def test_plugins_register_jobs_and_schedules(app):
    registry = get_runtime(app).jobs
    assert registry.jobs["fxjobs.fill"].plugin == "fx_jobs"
    assert registry.jobs["fxjobs.flaky"].max_attempts == 3
    assert registry.jobs["host.event"].plugin is None
    hourly = registry.schedules["fxjobs.hourly"]
    assert (hourly.every, hourly.per_department, hourly.plugin) == (
        timedelta(hours=1),
        True,
        "fx_jobs",
    )


@pytest.mark.hookspec("crm_register_jobs")
def test_a_duplicate_job_name_fails_start_up_naming_the_plugin(crm_databases, tmp_path):
    discovery = fixture_discovery("crm_fx_dupjob")
    url = crm_databases.create("dupjob")
    prepare_database(url, [], {})
    database = Database(url)
    lifecycle.install(database, discovery, "fx_dupjob")
    database.dispose()
    with (
        pytest.MonkeyPatch.context() as patch,
        pytest.raises(
            PluginError,
            match="plugin fx_dupjob: job fxdup.sync is registered by plugin fx_dupjob already",
        ),
    ):
        patch.setattr("crm_host.app.discover", lambda: discovery)
        build_app(url, tmp_path)


@pytest.mark.hookspec("crm_register_jobs")
def test_a_job_named_outside_the_plugins_slug_is_refused():
    manager = PluginManager()
    manager.load(fixture_discovery("crm_fx_badjob"), ["fx_badjob"])
    with pytest.raises(
        PluginError, match="plugin fx_badjob: job sales.sync must be named fxbad.<job>"
    ):
        collect_jobs(manager, register_host_jobs)


def test_enqueueing_the_same_key_twice_gives_one_job(db):
    first = enqueue(db, "fxjobs.count", {"n": 1}, key="nightly-2026-11-23")
    again = enqueue(db, "fxjobs.count", {"n": 2}, key="nightly-2026-11-23")
    other = enqueue(db, "fxjobs.count", {"n": 3})
    assert first == again != other
    assert db.get(Job, first).args == {"n": 1}
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 2


def test_unknown_jobs_and_bad_arguments_are_refused(db):
    with pytest.raises(ValidationFailed, match="no job named fxjobs.nope is registered"):
        enqueue(db, "fxjobs.nope")
    with pytest.raises(ValidationFailed, match="args must be JSON data"):
        enqueue(db, "fxjobs.count", {"when": object()})


def test_a_failing_job_backs_off_exponentially_then_parks(db, fx, run_jobs):
    job_id = enqueue(db, "fxjobs.flaky", {"succeed_on": 99})
    db.commit()
    assert run_jobs() == 1
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.error_summary == "plugin fx_jobs: ValueError: not yet (attempt 1)"
    first_delay = job.run_after - utcnow()
    assert timedelta(seconds=25) < first_delay <= timedelta(seconds=30)

    assert run_jobs(later=timedelta(seconds=31)) == 1
    db.refresh(job)
    second_delay = job.run_after - (utcnow() + timedelta(seconds=31))
    assert timedelta(seconds=55) < second_delay <= timedelta(seconds=60)  # doubled

    assert run_jobs(later=timedelta(minutes=5)) == 1
    db.refresh(job)
    assert (job.status, job.attempts) == ("failed", 3)  # parked after max_attempts=3
    assert run_jobs(later=timedelta(days=30)) == 0  # parked jobs are not retried alone
    assert [r for r in fx["fx_jobs"].RUNS] == [("flaky", 1), ("flaky", 2), ("flaky", 3)]


def test_a_retried_job_succeeds_and_runs_once_more(db, fx, run_jobs):
    job_id = enqueue(db, "fxjobs.flaky", {"succeed_on": 2})
    db.commit()
    run_jobs()
    run_jobs(later=timedelta(minutes=1))
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts, job.progress["percent"]) == ("done", 2, 100.0)


def test_backoff_and_settings():
    assert [q.backoff(n, 30, 3600).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]
    settings = RuntimeSettings.from_config({"JOBS_BACKOFF": "5", "WORKER_THREAD": "false"})
    assert (settings.jobs_backoff, settings.worker_thread) == (5.0, False)
    with pytest.raises(
        SettingsError, match="CRM_JOBS_BACKOFF must be a number of seconds, not 'soon'"
    ):
        RuntimeSettings.from_config({"JOBS_BACKOFF": "soon"})
    with pytest.raises(SettingsError, match="CRM_WORKER_BATCH must be greater than zero"):
        RuntimeSettings.from_config({"WORKER_BATCH": 0})


def test_a_dead_workers_claim_is_requeued_and_its_late_writes_are_refused(db, app):
    job_id = enqueue(db, "fxjobs.count")
    db.commit()
    factory = get_runtime(app).host.db.session_factory
    [dead] = q.claim(factory, "dead-worker", limit=5)
    assert dead.id == job_id
    assert q.requeue_stale(factory, timeout=120) == []  # its heartbeat is fresh
    ten_minutes_on = utcnow() + timedelta(minutes=10)
    assert q.requeue_stale(factory, timeout=120, now=ten_minutes_on) == [job_id]
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.last_error == "worker dead-worker stopped answering during attempt 1"

    [alive] = q.claim(factory, "alive-worker", limit=5, now=ten_minutes_on)
    assert alive.attempt == 2
    # The first worker wakes up and tries to finish: its claim is gone.
    with factory() as late, pytest.raises(q.LostClaim):
        q.complete(late, dead)
    assert q.fail(factory, dead, "late", base=1, cap=1) == "lost"
    with factory() as session:
        q.complete(session, alive)
        session.commit()
    db.refresh(job)
    assert (job.status, job.claimed_by) == ("done", "alive-worker")


def test_a_job_whose_worker_keeps_dying_is_parked(db, app):
    job_id = enqueue(db, "fxjobs.count")
    db.execute(sa.update(Job).where(Job.id == job_id).values(max_attempts=1))
    db.commit()
    factory = get_runtime(app).host.db.session_factory
    q.claim(factory, "dead-worker", limit=1)
    q.requeue_stale(factory, timeout=60, now=utcnow() + timedelta(hours=1))
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.error_summary == "worker dead-worker stopped answering during attempt 1"


def test_claims_are_exclusive_across_threads(committed_db, committed_app):
    jobs = 200
    with committed_db.session() as session:
        for n in range(jobs):
            enqueue(session, "fxjobs.count", {"n": n})
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(8)

    def claimer(name: str) -> None:
        mine = claimed.setdefault(name, [])
        start.wait()
        while True:
            got = q.claim(committed_db.session_factory, name, limit=3)
            if not got:
                return
            mine.extend(c.id for c in got)
            time.sleep(0.002)  # "running" them lets the others in

    threads = [threading.Thread(target=claimer, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every_claim = Counter(job_id for ids in claimed.values() for job_id in ids)
    assert len(every_claim) == jobs
    assert set(every_claim.values()) == {1}  # each job claimed exactly once
    assert sum(1 for ids in claimed.values() if ids) > 1  # and the threads did compete
    with committed_db.session() as session:
        rows = session.execute(sa.select(Job.id, Job.claimed_by, Job.attempts)).all()
    owner = {job_id: name for name, ids in claimed.items() for job_id in ids}
    assert all(owner[row.id] == row.claimed_by and row.attempts == 1 for row in rows)
