"""A restarted worker takes back its own jobs at once; a lock wait never spends an attempt."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from crm_host.core.models import Job
from crm_host.runtime import locks
from crm_host.runtime import queue as q
from crm_host.runtime._runner import LIVE_WORKERS, Worker
from crm_host.runtime.facade import enqueue, get_runtime
from crm_host.runtime.reclaim import WorkerId, parse_worker_id, reclaim_own

HOST = socket.gethostname()


@pytest.fixture
def gone_pid() -> int:
    """The pid of a process of this machine that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def live_pid():
    """The pid of a process of this machine that is still running."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


def _claimed_by(factory, holder: str) -> int:
    """Claim the next queued job as ``holder``; returns its id."""
    [claim] = q.claim(factory, holder, limit=1)
    return claim.id


def _state(database, job_id: int) -> tuple[str, int, str | None]:
    with database.session() as session:
        job = session.get(Job, job_id)
        return job.status, job.attempts, job.claimed_by


def test_a_restarted_worker_takes_back_its_own_jobs_at_once(
    committed_db, committed_app, fx, gone_pid, live_pid
):
    with committed_db.session() as session:
        for n in range(6):
            enqueue(session, "fxjobs.count", {"n": n})
    factory = committed_db.session_factory
    # What each job's holder was: the worker "billing" before a crash, the same
    # worker's earlier start whose pid came round again (a restarted container), and
    # four claims that are not its to take.
    holders = {
        "crashed": f"{HOST}:{gone_pid}:aaaaaa:billing",
        "same pid": f"{HOST}:{os.getpid()}:bbbbbb:billing",
        "other name": f"{HOST}:{gone_pid}:cccccc:mailer",
        "live namesake": f"{HOST}:{live_pid}:dddddd:billing",
        "other machine": f"elsewhere.example:{gone_pid}:eeeeee:billing",
        "no worker id": "a-test-label",
    }
    jobs = {what: _claimed_by(factory, holder) for what, holder in holders.items()}

    worker = Worker(committed_app, name="billing", until_idle=True)
    worker.run()

    # Both orphans ran to the end in this run: not requeued by a heartbeat timeout
    # (every claim is seconds old, the timeout is 120 s) but taken back on start.
    for what in ("crashed", "same pid"):
        status, attempts, holder = _state(committed_db, jobs[what])
        assert (status, attempts, holder) == ("done", 2, worker.worker_id), what
    assert sorted(run[1]["n"] for run in fx["fx_jobs"].RUNS) == [0, 1]
    for what in ("other name", "live namesake", "other machine", "no worker id"):
        assert _state(committed_db, jobs[what]) == ("running", 1, holders[what]), what
    with committed_db.session() as session:
        errors = session.scalars(sa.select(Job.last_error).where(Job.id == jobs["crashed"]))
        assert errors.one() == f"worker {holders['crashed']} died during attempt 1"


def test_a_worker_never_takes_the_jobs_of_a_worker_running_in_its_process(committed_db):
    with committed_db.session() as session:
        enqueue(session, "fxjobs.count")
    factory = committed_db.session_factory
    running = f"{HOST}:{os.getpid()}:aaaaaa:billing"
    job_id = _claimed_by(factory, running)
    starting = f"{HOST}:{os.getpid()}:bbbbbb:billing"
    assert reclaim_own(factory, starting, live={running}) == []
    assert reclaim_own(factory, starting) == [job_id]


def test_an_orphan_on_its_last_attempt_is_parked(committed_db, gone_pid):
    with committed_db.session() as session:
        enqueue(session, "fxjobs.count")
        session.execute(sa.update(Job).values(max_attempts=1))
    factory = committed_db.session_factory
    job_id = _claimed_by(factory, f"{HOST}:{gone_pid}:aaaaaa:billing")
    assert reclaim_own(factory, f"{HOST}:1:bbbbbb:billing") == [job_id]
    assert _state(committed_db, job_id) == ("failed", 1, None)


def test_worker_ids_name_machine_process_start_and_name():
    assert parse_worker_id("db1:4242:a1b2c3:billing:eu") == WorkerId(
        "db1", 4242, "a1b2c3", "billing:eu"
    )
    assert str(parse_worker_id("db1:4242:a1b2c3:billing")) == "db1:4242:a1b2c3:billing"
    # Ids written before workers had names still parse (no name: never reclaimed).
    assert parse_worker_id("db1:4242:a1b2c3") == WorkerId("db1", 4242, "a1b2c3", "")
    assert parse_worker_id("dead-worker") is None
    assert parse_worker_id(None) is None


def test_a_job_that_meets_a_locked_database_is_retried_without_spending_attempts(
    db, app, fx, run_jobs
):
    # fxjobs.locked may make 2 attempts; it meets "database is locked" 3 times first.
    job_id = enqueue(db, "fxjobs.locked", {"times": 3})
    db.commit()
    delay = get_runtime(app).settings.jobs_lock_retry
    assert run_jobs() == 1
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts, job.claimed_by) == ("queued", 0, None)
    assert job.last_error.startswith(
        "deferred, the database was locked: plugin fx_jobs: OperationalError: database is locked"
    )
    assert run_jobs() == 0  # not due before the lock retry delay
    for step in range(1, 4):
        # Each deferral is due ``delay`` after the clock of the run that made it.
        assert run_jobs(later=timedelta(seconds=delay * 2 * step)) == 1
    db.refresh(job)
    assert (job.status, job.attempts) == ("done", 1)
    assert fx["fx_jobs"].RUNS == [("locked", 1)] * 4


def _locked(times: int):
    """A function that meets SQLite's lock ``times`` times, as SQLAlchemy raises it."""
    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError(
                "UPDATE jobs …", {}, sqlite3.OperationalError("database is locked")
            )
        return "written"

    return write, calls


def test_queue_writes_are_retried_when_they_meet_a_lock(monkeypatch):
    monkeypatch.setattr(locks.time, "sleep", lambda seconds: None)
    write, calls = _locked(times=3)
    assert locks.retry_on_lock(write)() == "written"
    assert len(calls) == 4
    write, calls = _locked(times=locks.WRITE_TRIES)
    with pytest.raises(OperationalError, match="database is locked"):
        locks.retry_on_lock(write)()
    assert len(calls) == locks.WRITE_TRIES

    def broken() -> None:
        calls.append(1)
        raise ValueError("not a lock")

    calls.clear()
    with pytest.raises(ValueError):
        locks.retry_on_lock(broken)()
    assert len(calls) == 1


def test_what_counts_as_a_lock():
    class PgError(Exception):
        def __init__(self, sqlstate: str) -> None:
            self.sqlstate = sqlstate

    assert locks.is_lock_error(sqlite3.OperationalError("database is locked"))
    assert locks.is_lock_error(sqlite3.OperationalError("database table is locked"))
    assert locks.is_lock_error(OperationalError("x", {}, PgError("40P01")))  # deadlock
    assert locks.is_lock_error(OperationalError("x", {}, PgError("55P03")))  # NOWAIT
    assert not locks.is_lock_error(sqlite3.OperationalError("no such table: jobs"))
    assert not locks.is_lock_error(OperationalError("x", {}, PgError("23505")))
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError:
            raise ValueError("a job's own error, raised while handling one")  # noqa: B904
    except ValueError as error:
        assert not locks.is_lock_error(error)


def test_live_workers_are_forgotten_when_they_stop(committed_app, committed_db):
    worker = Worker(committed_app, name="billing", until_idle=True)
    worker.run()
    assert worker.worker_id.startswith(f"{HOST}:") and worker.worker_id.endswith(":billing")
    assert worker.worker_id not in LIVE_WORKERS
