"""Resumable batches: checkpoint and progress commit with each batch's effects."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from crm_host.core.models import Interaction, Job
from crm_host.domain.customers.service import create_customer
from crm_host.runtime.facade import enqueue


def entries(session, job_id):
    references = session.scalars(
        sa.select(Interaction.reference).where(Interaction.reference.like(f"fill:{job_id}:%"))
    )
    return Counter(int(r.rsplit(":", 1)[1]) for r in references)


def starts(folder):
    return [int(line.split()[1]) for line in (folder / "log").read_text().splitlines()]


def test_a_failed_batch_leaves_nothing_and_the_retry_resumes_after_the_last_good_one(
    db, run_jobs, tmp_path
):
    customer = create_customer(db, {"code": "B1", "name": "李娜", "kind": "person"})
    args = {"customer_id": customer.id, "total": 23, "size": 5, "dir": str(tmp_path), "fail_at": 10}
    job_id = enqueue(db, "fxjobs.fill", args)
    db.commit()

    run_jobs()
    job = db.get(Job, job_id)
    db.refresh(job)
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.progress == {"done": 10, "total": 23, "percent": 43.5}
    assert job.cursor == 10
    assert entries(db, job_id) == Counter(range(10))  # batch 10–14 rolled back whole

    run_jobs(later=timedelta(minutes=1))
    db.refresh(job)
    assert (job.status, job.attempts) == ("done", 2)
    assert job.progress == {"done": 23, "total": 23, "percent": 100.0}
    assert entries(db, job_id) == Counter(range(23))  # every row exactly once
    # Batches 0 and 5 ran once; the retry started at 10, not at 0.
    assert starts(tmp_path) == [0, 5, 10, 10, 15, 20]


def test_progress_and_checkpoint_are_shown_by_the_api_and_the_cli(
    db, run_jobs, make_user, client_for, cli, tmp_path
):
    customer = create_customer(db, {"code": "B2", "name": "张伟", "kind": "person"})
    args = {"customer_id": customer.id, "total": 7, "size": 3, "dir": str(tmp_path), "fail_at": 6}
    job_id = enqueue(db, "fxjobs.fill", args)
    db.commit()
    run_jobs()
    admin = client_for(make_user("ops", admin=True))
    shown = admin.get(f"/api/v1/jobs/{job_id}")
    assert shown.status_code == 200
    assert shown.json["progress"] == {"done": 6, "total": 7, "percent": 85.7}
    assert shown.json["checkpoint"] == 6
    assert shown.json["status"] == "queued"
    assert shown.json["error"] == "plugin fx_jobs: RuntimeError: batch at 6 broke"

    run_jobs(later=timedelta(minutes=1))
    result = cli("jobs", "show", str(job_id), "--follow", "--timeout", "10")
    assert result.exit_code == 0, result.output
    assert f"job {job_id} fxjobs.fill" in result.output  # the progress bar's label
    assert "trace:" not in result.output  # the earlier attempt's error is history
    assert "status           done" in result.output
    assert "progress         {'done': 7, 'total': 7, 'percent': 100.0}" in result.output
