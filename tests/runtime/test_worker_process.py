"""``crm worker`` as a real process: SIGKILLed in the middle of a batch job, started again.

The job writes timeline rows in batches of 4; the batch starting at 8 writes its
rows and then waits on a file barrier with its transaction open. The test kills the
worker there (SIGKILL: no cleanup of any kind), starts a second worker, and checks
that the job completed with every row exactly once and that the second worker
resumed at batch 8 rather than starting over.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.core.models import Interaction, Job
from crm_host.domain.customers.service import create_customer
from crm_host.runtime.facade import enqueue

from .conftest import FIXTURES, FX_PLUGINS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def plugin_site(folder: Path) -> Path:
    """A directory that makes the fixture plugins discoverable by entry point, like pip would."""
    info = folder / "crm_fx_plugins-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: crm-fx-plugins\nVersion: 1.0\n")
    lines = [f"{name} = {module}" for name, module in FX_PLUGINS.items()]
    (info / "entry_points.txt").write_text("[crm_host.plugins]\n" + "\n".join(lines) + "\n")
    return folder


def start_worker(env: dict[str, str], output: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from crm_host.cli.main import main; main()", "worker"],
        env=env,
        cwd=output.parent,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what: str, process: subprocess.Popen, output: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"the worker exited ({process.returncode}) before {what}:\n{output.read_text()}"
            )
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {what} within {timeout}s:\n{output.read_text()}")
        time.sleep(0.05)


def test_a_killed_worker_resumes_the_batch_job_without_redoing_a_batch(
    committed_db, committed_app, tmp_path
):
    work = tmp_path / "work"
    work.mkdir()
    with committed_db.session() as session:
        customer = create_customer(session, {"code": "K1", "name": "赵敏", "kind": "person"})
        args = {"customer_id": customer.id, "total": 20, "size": 4, "dir": str(work), "block_at": 8}
        job_id = enqueue(session, "fxjobs.fill", args)

    env = {
        **os.environ,
        "CRM_DATABASE_URL": committed_db.url.render_as_string(hide_password=False),
        "CRM_INSTANCE_PATH": str(tmp_path / "instance"),
        "CRM_SECRET_KEY": "worker-test",
        "PYTHONPATH": os.pathsep.join([str(plugin_site(tmp_path / "site")), str(FIXTURES)]),
        "CRM_WORKER_POLL_INTERVAL": "0.1",
        "CRM_JOBS_HEARTBEAT_INTERVAL": "0.2",
        # Far longer than the test: the restarted worker must take its job back itself.
        "CRM_JOBS_HEARTBEAT_TIMEOUT": "120",
    }

    def read(query):
        # DEFERRED: a reader must not queue for the SQLite write lock the worker holds.
        with committed_db.engine.connect() as connection:
            connection = connection.execution_options(sqlite_begin="DEFERRED")
            return connection.execute(query).all()

    def job():
        [row] = read(sa.select(Job).where(Job.id == job_id))
        return row

    def rows() -> Counter:
        # Only the batch job's rows: event handlers may also write to this timeline.
        query = sa.select(Interaction.reference).where(
            Interaction.customer_id == customer.id, Interaction.source_plugin == "fx_jobs"
        )
        return Counter(int(r.reference.rsplit(":", 1)[1]) for r in read(query))

    def progress(row) -> dict:
        return {"done": row.progress_done, "total": row.progress_total}

    first_out, second_out = tmp_path / "worker1.out", tmp_path / "worker2.out"
    first = start_worker(env, first_out)
    second = None
    try:
        wait_for((work / "blocked").exists, "the batch at 8", first, first_out)
        # Mid-batch: batches 0 and 4 committed; batch 8 wrote its rows, uncommitted.
        assert progress(job()) == {"done": 8, "total": 20}
        assert job().status == "running"
        assert rows() == Counter(range(8))
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL

        (work / "release").touch()
        second = start_worker(env, second_out)
        wait_for(lambda: job().status == "done", "finished job", second, second_out)

        finished = job()
        assert rows() == Counter(range(20))  # each batch's effect exactly once
        assert progress(finished) == {"done": 20, "total": 20}
        assert finished.attempts == 2
        # Taken back by the restarted worker (same machine and name) on start.
        held = rf"worker {re.escape(socket.gethostname())}:{first.pid}:[0-9a-f]{{6}}:worker"
        assert re.fullmatch(rf"{held} died during attempt 1", finished.last_error)
        log = [line.split() for line in (work / "log").read_text().splitlines()]
        assert [int(start) for _pid, start in log] == [0, 4, 8, 8, 12, 16]
        assert {pid for pid, _ in log[:3]} == {str(first.pid)}
        assert {pid for pid, _ in log[3:]} == {str(second.pid)}  # resumed at 8, not at 0

        second.send_signal(signal.SIGTERM)  # graceful: finishes what it has, then exits
        assert second.wait(timeout=20) == 0, second_out.read_text()
        assert "SIGTERM: finishing the job in hand" in second_out.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
