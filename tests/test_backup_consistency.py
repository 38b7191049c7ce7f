"""A backup taken while an import commits holds every table as of one instant.

A writer thread plays the import: each of its transactions creates customers and
raises the job row's ``created`` total by as many. Every backup taken meanwhile must
hold exactly as many customers as its job row says were created — and so must the
database restored from it.
"""

from __future__ import annotations

import json
import threading
import zipfile

import sqlalchemy as sa

from crm_host.backup import backup, restore
from crm_host.core.db import Database
from crm_host.core.models import Customer, Job
from crm_host.domain.customers import service
from crm_host.plugins.facade import discover

PER_COMMIT = 3


def write_like_an_import(database: Database, job_id: int, stop: threading.Event) -> list[int]:
    """Commit customers and the job's running total together until told to stop."""
    commits = [0]
    while not stop.is_set() and commits[0] < 20_000:
        with database.session() as session:
            first = commits[0] * PER_COMMIT
            for n in range(first, first + PER_COMMIT):
                service.create_customer(
                    session, {"code": f"IMP{n:05d}", "name": f"导入{n}", "kind": "person"}
                )
            job = session.get(Job, job_id)
            job.checkpoint = {"cursor": {"created": first + PER_COMMIT}}
            job.progress_done = first + PER_COMMIT
        commits[0] += 1
    return commits


def archived(path, table):
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read(f"tables/{table}.jsonl").splitlines()]


def test_a_backup_during_an_import_holds_one_instant(committed_db, crm_databases, tmp_path):
    with committed_db.session() as session:
        job = Job(name="host.import", args={}, status="running")
        session.add(job)
        session.flush()
        job_id = job.id
        baseline = session.scalar(sa.select(sa.func.count()).select_from(Customer))

    stop = threading.Event()
    errors: list[BaseException] = []
    commits: list[int] = []

    def run() -> None:
        try:
            commits.extend(write_like_an_import(committed_db, job_id, stop))
        except BaseException as error:  # surfaced below: a thread's failure is silent
            errors.append(error)

    writer = threading.Thread(target=run)
    writer.start()
    files = []
    try:
        # Wait until the import is under way, then back up while it goes on.
        while not errors and _created(committed_db, job_id) < 3 * PER_COMMIT:
            stop.wait(0.01)
        for n in range(4):
            files.append(tmp_path / f"during-{n}.zip")
            backup(committed_db, files[-1])
    finally:
        stop.set()
        writer.join()
    assert not errors, errors
    seen = []
    for file in files:
        [job_row] = [r for r in archived(file, "jobs") if r["id"] == job_id]
        customers = len(archived(file, "customers")) - baseline
        # The job row and the customers table are of the same instant.
        assert customers == job_row["progress_done"]
        assert job_row["checkpoint"] == {"cursor": {"created": customers}}
        assert customers % PER_COMMIT == 0
        seen.append(customers)
    # The backups really were taken while the import was committing.
    total = _created(committed_db, job_id)
    assert seen[-1] < total == commits[0] * PER_COMMIT

    target = Database(crm_databases.create("consistent_restore"))
    restore(target, files[-1], discover())
    with target.engine.connect() as connection:
        restored_customers = connection.scalar(
            sa.select(sa.func.count()).select_from(sa.table("customers"))
        )
        progress = connection.scalar(sa.text(f"SELECT progress_done FROM jobs WHERE id = {job_id}"))
    assert restored_customers - baseline == progress == seen[-1]
    target.dispose()


def _created(database: Database, job_id: int) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(sa.select(Job.progress_done).where(Job.id == job_id)) or 0
