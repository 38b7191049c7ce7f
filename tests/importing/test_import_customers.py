"""Importing customers: 1% malformed rows rejected by line, idempotent, resumable after a kill."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.models import AuditLog, Customer, Job

MALFORMED = ("missing name", "invalid email", "unknown kind", "wrong column count")


def write_file(path: Path, rows: int) -> dict[int, str]:
    """A customers CSV with one malformed row in a hundred; returns their lines and kinds.

    Every tenth good row has a quoted name with a comma, and a blank line follows
    every thousandth row, so physical line numbers and record numbers drift apart.
    """
    injected: dict[int, str] = {}
    line = 2
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["code", "name", "kind", "email", "phone", "city"])
        for i in range(rows):
            code = f"IMP{i:06d}"
            if i % 100 == 50:
                kind = MALFORMED[(i // 100) % 4]
                injected[line] = kind
                if kind == "missing name":
                    writer.writerow([code, "", "person", "", "", ""])
                elif kind == "invalid email":
                    writer.writerow([code, "王芳", "person", "wang@", "", ""])
                elif kind == "unknown kind":
                    writer.writerow([code, "王芳", "alien", "", "", ""])
                else:
                    writer.writerow([code, "王芳", "person"])
                line += 1
                continue
            name = f"客户 {i}, 分部" if i % 10 == 3 else f"客户{i}"
            writer.writerow([code, name, "person", f"u{i}@example.cn", f"+86138{i:08d}", "苏州"])
            line += 1
            if i % 1000 == 999:
                out.write("\r\n")  # a blank line: not a record, but a line
                line += 1
    return injected


def count(database, model, *where):
    with database.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_hundred_thousand_rows_with_one_percent_malformed(committed_app, committed_db, tmp_path):
    source = tmp_path / "customers.csv"
    injected = write_file(source, 100_000)
    assert len(injected) == 1_000
    runner = committed_app.test_cli_runner()

    first = runner.invoke(crm, ["customers", "import", str(source), "--batch-size", "2000"])
    assert first.exit_code == 0, first.output
    assert "99000 created, 0 updated, 0 unchanged, 1000 rejected" in first.output
    assert count(committed_db, Customer) == 99_000
    with (tmp_path / "customers.csv.rejects.csv").open(encoding="utf-8-sig") as rejects:
        rows = list(csv.DictReader(rejects))
    assert {int(r["line"]) for r in rows} == set(injected)
    reasons = {int(r["line"]): r["reason"] for r in rows}
    expect = {
        "missing name": "name: Required.",
        "invalid email": "email: Not a valid email address.",
        "unknown kind": "kind: Must be one of: person, organization.",
        "wrong column count": "3 fields where the header has 6",
    }
    assert all(reasons[line] == expect[kind] for line, kind in injected.items())
    batches = count(committed_db, AuditLog, AuditLog.action == "import")
    assert batches == 50  # one audit entry per batch, not per row

    again = runner.invoke(crm, ["customers", "import", str(source)])
    assert "was imported before" in again.output and count(committed_db, Customer) == 99_000
    forced = runner.invoke(
        crm, ["customers", "import", str(source), "--again", "--batch-size", "5000"]
    )
    assert forced.exit_code == 0, forced.output
    assert "0 created, 0 updated, 99000 unchanged, 1000 rejected" in forced.output
    assert count(committed_db, AuditLog, AuditLog.action == "import") == batches


def test_an_import_killed_half_way_resumes_without_duplicates(
    committed_app, committed_db, tmp_path
):
    source = tmp_path / "big.csv"
    write_file(source, 30_000)
    url = committed_db.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "CRM_DATABASE_URL": url,
        "CRM_INSTANCE_PATH": str(tmp_path / "instance"),
        "CRM_SECRET_KEY": "test",
        "CRM_WORKER_THREAD": "false",
    }
    command = [
        sys.executable,
        "-m",
        "crm_host.cli",
        "customers",
        "import",
        str(source),
        "--batch-size",
        "500",
    ]

    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        with committed_db.engine.connect() as connection:
            done = (
                connection.scalar(sa.select(Job.progress_done).where(Job.name == "host.import"))
                or 0
            )
        if done >= 5_000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    killed_at = count(committed_db, Customer)
    assert 0 < killed_at < 29_700
    batches_before = count(committed_db, AuditLog, AuditLog.action == "import")

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert count(committed_db, Customer) == 29_700
    with committed_db.engine.connect() as connection:
        codes = connection.scalars(sa.select(Customer.code)).all()
        assert len(codes) == len(set(codes)) == 29_700
        job = connection.execute(sa.select(Job).where(Job.name == "host.import")).one()
    assert job.status == "done" and job.progress_done == 30_000
    # Resumed, not restarted: the batches committed before the kill were not done again.
    assert count(committed_db, AuditLog, AuditLog.action == "import") == 60
    assert batches_before >= killed_at // 500
