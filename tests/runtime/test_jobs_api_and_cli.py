"""``/api/v1/jobs`` and ``crm jobs``: list, show, retry; the worker thread of a web process."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import Job, OutboxEvent
from crm_host.domain.customers.privacy import erase_customer
from crm_host.domain.customers.service import create_customer
from crm_host.runtime.facade import emit, enqueue, get_runtime


@pytest.fixture
def parked(db, run_jobs):
    job_id = enqueue(db, "fxjobs.flaky", {"succeed_on": 99})
    db.commit()
    for minutes in (0, 1, 5):
        run_jobs(later=timedelta(minutes=minutes))
    return job_id


@pytest.fixture
def admin(make_user, client_for):
    return client_for(make_user("jobs-admin", admin=True))


def test_list_show_and_retry_through_the_api(db, admin, parked, make_user, client_for):
    listed = admin.get("/api/v1/jobs", query_string={"status": "failed"})
    assert listed.status_code == 200
    [item] = listed.json["items"]
    assert item["id"] == parked and item["plugin"] == "fx_jobs"
    assert item["error"] == "plugin fx_jobs: ValueError: not yet (attempt 3)"
    shown = admin.get(f"/api/v1/jobs/{parked}").json
    assert shown["args"] == {"succeed_on": 99} and "Traceback" in shown["last_error"]

    retried = admin.post(f"/api/v1/jobs/{parked}/retry")
    assert retried.status_code == 200
    assert (retried.json["status"], retried.json["attempts"]) == ("queued", 0)
    again = admin.post(f"/api/v1/jobs/{parked}/retry")
    assert again.status_code == 409
    assert again.json["message"] == f"job {parked} is queued; only failed jobs can be retried"
    assert admin.get("/api/v1/jobs/999999").status_code == 404
    assert admin.get("/api/v1/jobs", query_string={"status": "lost"}).status_code == 422

    manager = client_for(make_user("mgr", departments=["sales"], role="manager"))
    refused = manager.get("/api/v1/jobs")
    assert refused.status_code == 403 and "host.jobs.manage" in refused.json["message"]


def test_jobs_pages_newest_first(db, admin):
    ids = [enqueue(db, "fxjobs.count", {"n": n}) for n in range(5)]
    db.commit()
    first = admin.get("/api/v1/jobs", query_string={"limit": 3}).json
    second = admin.get(
        "/api/v1/jobs", query_string={"limit": 3, "cursor": first["next_cursor"]}
    ).json
    assert [j["id"] for j in first["items"] + second["items"]] == ids[::-1]


def test_jobs_commands(cli, db, parked):
    listed = cli("jobs", "list", "--status", "failed")
    assert f"{parked}  failed   fxjobs.flaky" in listed.output
    assert "plugin fx_jobs: ValueError: not yet (attempt 3)" in listed.output
    shown = cli("jobs", "show", str(parked))
    assert "status           failed" in shown.output and "trace:" in shown.output
    assert cli("jobs", "retry", str(parked)).output == f"job {parked} (fxjobs.flaky) queued again\n"
    refused = cli("jobs", "retry", str(parked))
    assert refused.exit_code == 1 and "only failed jobs can be retried" in refused.output
    missing = cli("jobs", "show", "424242")
    assert missing.exit_code == 1 and "no job with id 424242" in missing.output

    queued = cli("jobs", "enqueue", "fxjobs.count", "--args", '{"n": 1}', "--key", "once")
    again = cli("jobs", "enqueue", "fxjobs.count", "--key", "once")
    assert queued.output == again.output  # the same job
    bad = cli("jobs", "enqueue", "fxjobs.count", "--args", "{n: 1}")
    assert bad.exit_code == 2 and "Invalid value for --args: not JSON" in bad.output
    unknown = cli("jobs", "enqueue", "nope.job")
    assert unknown.exit_code == 1 and "no job named nope.job is registered" in unknown.output


def test_the_web_process_worker_thread_delivers_after_commit(committed_db, committed_app, fx):
    runtime = get_runtime(committed_app)
    assert not runtime.worker_thread_wanted  # tests start threads only when they ask
    worker = runtime.start_worker_thread()
    try:
        with committed_db.session() as session:
            emit(session, "crm_customer_merged", survivor_id=1, merged_id=2)
        deadline = time.monotonic() + 20
        while not fx["fx_listen_a"].CALLS and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [c[0] for c in fx["fx_listen_a"].CALLS] == ["crm_customer_merged"]
    finally:
        runtime.stop_worker_thread()
    assert worker.stopping.is_set() and runtime.worker is None


def test_erasure_scrubs_event_payloads(db):
    customer = create_customer(db, {"code": "GDPR1", "name": "欧阳娜娜", "kind": "person"})
    emit(
        db,
        "crm_customers_updated",
        changes=[{"customer_id": customer.id, "changed": {"name": ["欧阳娜", "欧阳娜娜"]}}],
    )
    db.commit()
    erase_customer(db, customer)
    db.commit()
    payloads = db.scalars(sa.select(OutboxEvent.payload)).all()
    assert "欧阳娜娜" not in str(payloads) and "[erased]" in str(payloads)


def test_prune_drops_old_finished_work_and_keeps_parked_jobs(db, run_jobs):
    old = utcnow() - timedelta(days=30)
    event_id = emit(db, "crm_customer_merged", survivor_id=1, merged_id=2)
    db.commit()  # delivered inline: its job is done
    parked_id = enqueue(db, "fxjobs.count")
    db.execute(sa.update(Job).values(finished_at=old))
    db.execute(sa.update(Job).where(Job.id == parked_id).values(status="failed"))
    db.execute(sa.update(OutboxEvent).values(created_at=old))
    db.commit()
    enqueue(db, "host.prune")
    db.commit()
    run_jobs(names=["host.prune"])
    assert db.get(OutboxEvent, event_id) is None
    remaining = db.execute(sa.select(Job.name, Job.status).order_by(Job.id)).all()
    assert [tuple(r) for r in remaining] == [("fxjobs.count", "failed"), ("host.prune", "done")]
