"""An import and exports under way while the web process's worker and scheduler run.

On SQLite one writer holds the database at a time: the import's batches and each
export's audit write keep the others waiting. With a busy timeout short enough that
waiting runs out, jobs must still all end done, none having spent an attempt on a
lock: a lock wait is a retry, not a failure.
"""

from __future__ import annotations

import dataclasses
import io
import threading
import time

import pytest
import sqlalchemy as sa

from crm_host.core import db as host_db
from crm_host.core.models import Customer, Job
from crm_host.domain.directory import create_user
from crm_host.runtime.facade import enqueue, get_runtime
from crm_host.testing import login

ROWS = 1500
JOBS = 100


@pytest.fixture
def impatient(committed_db, committed_app, monkeypatch):
    """SQLite connections that wait 50 ms for a lock, and a runtime that retries soon."""
    monkeypatch.setattr(host_db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    committed_db.engine.dispose()  # new connections take the short timeout
    runtime = get_runtime(committed_app)
    fast = dataclasses.replace(
        runtime.settings, jobs_lock_retry=0.1, worker_poll_interval=0.05, scheduler_interval=0.5
    )
    monkeypatch.setattr(runtime, "settings", fast)
    yield runtime
    runtime.stop_worker_thread()
    monkeypatch.undo()
    committed_db.engine.dispose()


def test_jobs_end_done_under_an_import_an_export_the_worker_and_the_scheduler(
    committed_db, committed_app, impatient
):
    with committed_db.session() as session:
        user = create_user(
            session, username="loader", password="x" * 12, departments=["sales"], role="manager"
        )
        for n in range(JOBS):
            enqueue(session, "fxjobs.count", {"n": n})
    client = login(committed_app.test_client(), user)
    csv = "code,name,kind\n" + "".join(f"L{n:05d},客户{n},person\n" for n in range(ROWS))
    upload = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(csv.encode()), "客户.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 202, upload.json

    exports: list[int] = []
    finished = threading.Event()

    def export() -> None:
        # Each export holds the write lock while it reads every customer (and audits).
        exporter = login(committed_app.test_client(), user)
        while not finished.is_set():
            exports.append(exporter.get("/api/v1/customers/export?format=csv").status_code)
            time.sleep(0.05)  # a user, not a loop: others get the lock in between

    def unfinished() -> int:
        with committed_db.engine.connect() as connection:
            query = sa.select(sa.func.count()).where(Job.status.in_(("queued", "running")))
            return connection.scalar(query.select_from(Job))

    exporting = threading.Thread(target=export)
    exporting.start()
    impatient.start_worker_thread()
    deadline = time.monotonic() + 120
    try:
        while unfinished() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        finished.set()
        exporting.join(timeout=60)

    with committed_db.session() as session:
        jobs = session.execute(sa.select(Job.name, Job.status, Job.attempts)).all()
        imported = session.scalar(
            sa.select(sa.func.count()).select_from(Customer).where(Customer.code.like("L%"))
        )
    names = {name for name, _, _ in jobs}
    # The import, the queued jobs and the scheduler's slots (two departments have
    # fx_jobs for the hourly one, the ten-minute one runs once) all ran.
    assert {"host.import", "fxjobs.count", "fxjobs.hourly", "fxjobs.ten_minutes"} <= names
    assert [(n, s, a) for n, s, a in jobs if (s, a) != ("done", 1)] == []
    assert imported == ROWS
    print(
        "EXPORTS",
        exports,
        "DEFERRED",
        session.scalar(
            sa.select(sa.func.count()).select_from(Job).where(Job.last_error.like("deferred%"))
        )
        if False
        else "",
    )
    assert 200 in exports
