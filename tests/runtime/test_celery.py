"""The Celery backend with real worker processes on the local Redis and RabbitMQ.

A job is dispatched to a ``crm worker`` running Celery; the pool process running it
is SIGKILLed after committing two batches. Celery delivers the task again (late
acknowledgement, rejected on worker loss), the redelivery takes the dead process's
claim over and resumes at the last checkpoint: every batch's effect exists once.
Then an import and a campaign send give the same rows on the database queue and on
Celery.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from crm_host.core.models import Customer, Interaction, Job
from crm_host.domain.customers.service import create_customer
from crm_host.domain.importing import jobs as import_jobs
from crm_host.runtime._runner import Runner
from crm_host.runtime.broker import dispatch_due, make_celery
from crm_host.runtime.facade import enqueue
from crm_host.runtime.settings import RuntimeSettings

from .conftest import FIXTURES
from .test_worker_process import plugin_site, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

BROKERS = {
    "redis": os.environ.get("CRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": os.environ.get("CRM_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or (6379 if parts.scheme == "redis" else 5672)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=sorted(BROKERS))
def broker(request):
    url = BROKERS[request.param]
    if not reachable(url):
        message = f"{request.param} is not reachable at {url}"
        if os.environ.get("CRM_REQUIRE_BROKERS"):
            pytest.fail(message)
        pytest.skip(message)
    # A queue of this test's own: another run sharing the broker cannot take its jobs.
    # Unique per test, not per name: a producer remembers the queues it declared, and
    # would not declare again one a previous test deleted.
    queue = f"crm-test-{uuid.uuid4().hex}"
    settings = RuntimeSettings(broker_url=url, broker_visibility_timeout=5, broker_queue=queue)
    celery = make_celery(settings)
    yield url, celery, queue
    # Already gone, or never declared: nothing to tidy.
    with celery.connection_for_write() as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_delete(queue)


def worker_env(committed_db, tmp_path, broker_url, queue):
    return {
        **os.environ,
        "CRM_DATABASE_URL": committed_db.url.render_as_string(hide_password=False),
        "CRM_INSTANCE_PATH": str(tmp_path / "instance"),
        "CRM_SECRET_KEY": "celery-test",
        "PYTHONPATH": os.pathsep.join([str(plugin_site(tmp_path / "site")), str(FIXTURES)]),
        "CRM_BROKER_URL": broker_url,
        "CRM_BROKER_QUEUE": queue,
        "CRM_BROKER_VISIBILITY_TIMEOUT": "5",
        "CRM_JOBS_HEARTBEAT_INTERVAL": "0.2",
        "CRM_JOBS_HEARTBEAT_TIMEOUT": "30",
    }


def start_worker(env, output: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from crm_host.cli.main import main; main()",
            "worker",
            "--concurrency",
            "1",
        ],
        env=env,
        cwd=output.parent,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the worker and its pool processes, stopped together
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def read(committed_db, query):
    with committed_db.engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="DEFERRED")
        return connection.execute(query).all()


def test_a_killed_pool_process_gets_the_task_again_and_each_batch_lands_once(
    broker, committed_db, committed_app, tmp_path
):
    broker_url, celery, queue = broker
    work = tmp_path / "work"
    work.mkdir()
    with committed_db.session() as session:
        customer = create_customer(session, {"code": "Q1", "name": "钱七", "kind": "person"})
        args = {"customer_id": customer.id, "total": 20, "size": 4, "dir": str(work), "block_at": 8}
        job_id = enqueue(session, "fxjobs.fill", args)
        session.commit()

    def job():
        [row] = read(committed_db, sa.select(Job).where(Job.id == job_id))
        return row

    def rows() -> Counter:
        query = sa.select(Interaction.reference).where(
            Interaction.customer_id == customer.id, Interaction.source_plugin == "fx_jobs"
        )
        return Counter(int(r.reference.rsplit(":", 1)[1]) for r in read(committed_db, query))

    output = tmp_path / "worker.out"
    worker = start_worker(worker_env(committed_db, tmp_path, broker_url, queue), output)
    try:
        # The job and the event deliveries the new customer queued, each handed over once.
        assert job_id in dispatch_due(committed_app, celery)
        assert dispatch_due(committed_app, celery) == []
        wait_for((work / "blocked").exists, "the batch at 8", worker, output, timeout=60)
        first_pid = int((work / "blocked").read_text())
        assert first_pid != worker.pid  # the job runs in a pool process
        assert job().status == "running" and rows() == Counter(range(8))

        os.kill(first_pid, signal.SIGKILL)  # two batches committed, the third open
        (work / "release").touch()
        wait_for(lambda: job().status == "done", "the job done", worker, output, timeout=90)

        finished = job()
        assert rows() == Counter(range(20))  # every batch's effect exactly once
        assert (finished.progress_done, finished.progress_total) == (20, 20)
        assert finished.attempts == 2  # delivered twice, claimed twice
        assert "died" in finished.last_error
        log = [line.split() for line in (work / "log").read_text().splitlines()]
        assert [int(start) for _pid, start in log] == [0, 4, 8, 8, 12, 16]
        assert {int(pid) for pid, _ in log[:3]} == {first_pid}
        second = {int(pid) for pid, _ in log[3:]}
        assert len(second) == 1 and first_pid not in second  # resumed at 8 elsewhere
    finally:
        stop(worker)
    assert output.read_text().count(f"delivery of job {job_id}") == 2, output.read_text()


def test_an_import_gives_the_same_rows_on_the_database_queue_and_on_celery(
    broker, committed_db, committed_app, tmp_path
):
    broker_url, celery, queue = broker
    lines = ["code,name,kind,email,city"]
    lines += [f"S{n:04d},客户{n},person,s{n}@example.cn,City {n % 7}" for n in range(300)]
    lines += ["S9999,,person,,", "S9998,坏,robot,,"]  # two refused rows
    source = tmp_path / "customers.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run_import(label):
        with committed_db.session() as session:
            args = import_jobs.job_args(source, fmt=None, batch_size=64, session=session)
            job_id = enqueue(session, import_jobs.JOB_NAME, args, key=f"{label}:{source}")
            session.commit()
        return job_id

    def snapshot():
        customers = read(
            committed_db,
            sa.select(
                Customer.code, Customer.name, Customer.kind, Customer.email, Customer.city
            ).order_by(Customer.code),
        )
        return [tuple(str(v) for v in row) for row in customers]

    def clear():
        with committed_db.session() as session:
            session.execute(sa.delete(Customer))
            session.commit()

    database_job = run_import("database")
    Runner(committed_app).run_due(names=[import_jobs.JOB_NAME])
    on_database = snapshot()
    [database_status] = read(committed_db, sa.select(Job.status).where(Job.id == database_job))
    clear()

    output = tmp_path / "worker.out"
    worker = start_worker(worker_env(committed_db, tmp_path, broker_url, queue), output)
    try:
        celery_job = run_import("celery")
        assert celery_job in dispatch_due(committed_app, celery)

        def finished():
            [(status,)] = read(committed_db, sa.select(Job.status).where(Job.id == celery_job))
            return status == "done"

        wait_for(finished, "the import done", worker, output, timeout=90)
    finally:
        stop(worker)
    on_celery = snapshot()
    assert database_status == ("done",)
    assert len(on_database) == 300
    assert on_celery == on_database


def test_a_campaign_send_gives_the_same_rows_on_the_database_queue_and_on_celery(
    broker, committed_db, committed_app, tmp_path
):
    from crm_marketing import campaigns, segments
    from crm_marketing.models import Send

    from crm_host.core.models import EmailMessage
    from crm_host.domain.customers.consent import record_consent

    broker_url, celery, queue = broker
    with committed_db.session() as session:
        for n in range(30):
            customer = create_customer(
                session,
                {
                    "code": f"M{n:03d}",
                    "name": f"客户{n}",
                    "kind": "person",
                    "city": "苏州" if n % 3 else "上海",
                    "email": f"m{n}@example.cn",
                },
            )
            # Every fourth one never agreed to email: the send must skip them.
            if n % 4:
                record_consent(session, customer, channel="email", granted=True, source="form")
        segment = segments.create_segment(
            session,
            {"name": "苏州", "rules": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}},
        )
        session.commit()
        segment_id = segment.id

    def send(name):
        with committed_db.session() as session:
            campaign = campaigns.create_campaign(
                session,
                {
                    "name": name,
                    "channel": "email",
                    "segment_id": segment_id,
                    "subject": "{{ name }}，您好",
                    "body": "双十一。退订：{{ unsubscribe_url }}",
                },
            )
            campaigns.launch(session, campaign)
            session.commit()
            return campaign.id, campaign.job_id

    def outcome(campaign_id):
        sends = read(
            committed_db,
            sa.select(Send.customer_id, Send.address)
            .where(Send.campaign_id == campaign_id)
            .order_by(Send.customer_id),
        )
        mail = read(
            committed_db,
            sa.select(EmailMessage.to_address).order_by(EmailMessage.to_address),
        )
        return [tuple(r) for r in sends], sorted(r[0] for r in mail)

    on_database_id, _job = send("数据库队列")
    Runner(committed_app).run_due()
    database_sends, database_mail = outcome(on_database_id)
    assert len(database_sends) == 15  # 苏州 (20) with consent (3 in 4 of them)

    output = tmp_path / "worker.out"
    worker = start_worker(worker_env(committed_db, tmp_path, broker_url, queue), output)
    try:
        on_celery_id, job_id = send("Celery")
        assert job_id in dispatch_due(committed_app, celery)

        def finished():
            [(status,)] = read(committed_db, sa.select(Job.status).where(Job.id == job_id))
            return status == "done"

        wait_for(finished, "the campaign sent", worker, output, timeout=90)
    finally:
        stop(worker)
    celery_sends, all_mail = outcome(on_celery_id)
    assert celery_sends == database_sends  # the same customers at the same addresses
    assert all_mail == sorted(database_mail * 2)  # each of them mailed once per campaign


def test_a_readings_import_gives_the_same_rows_on_the_database_queue_and_on_celery(
    broker, committed_db, committed_app, tmp_path
):
    from crm_industry_power.models import ReadingDay

    from crm_host.core.models import ImportReject

    broker_url, celery, queue = broker
    with committed_db.session() as session:
        from crm_industry_power import profiles, tariffs

        tariffs.save_tariff(
            session,
            {
                "code": "q-flat",
                "name": "一般工商业",
                "peak_price": "0.9",
                "flat_price": "0.6",
                "valley_price": "0.3",
                "periods": [],
            },
        )
        customer = create_customer(
            session, {"code": "P1", "name": "昆山电子", "kind": "organization"}
        )
        account = profiles.save_account(
            session,
            {
                "number": "Q1",
                "customer_id": customer.id,
                "service_point": "昆山 1 号",
                "category": "commercial",
                "voltage_level": "10kV",
                "contracted_kva": "500",
                "tariff": "q-flat",
            },
        )
        for number in ("QM1", "QM2", "QM3"):
            profiles.save_meter(session, {"number": number, "account_id": account.id})
        session.commit()
    # Three meters over two days; a refused value, a duplicate and a gap on the way.
    lines = ["meter,timestamp,value"]
    for meter in ("QM1", "QM2", "QM3"):
        for slot in range(2 * 96):
            if meter == "QM2" and slot in (40, 41):
                continue  # a gap of two intervals
            day, minute = divmod(slot, 96)
            value = (slot * 7 + len(meter)) % 50 / 4
            lines.append(
                f"{meter},2026-11-{1 + day:02d} {minute // 4:02d}:{minute % 4 * 15:02d},{value}"
            )
    lines += ["QM1,2026-11-01 00:00,1", "QM3,2026-11-01 05:00,-2"]
    source = tmp_path / "readings.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = {"interval": 15, "unit": "kWh"}

    def run_import(label):
        with committed_db.session() as session:
            args = import_jobs.job_args(
                source, importer="power.readings", batch_size=100, session=session, options=options
            )
            job_id = enqueue(session, import_jobs.JOB_NAME, args, key=f"{label}:{source}")
            session.commit()
        return job_id

    def snapshot(label):
        days = read(
            committed_db,
            sa.select(ReadingDay.meter_id, ReadingDay.day, ReadingDay.values).order_by(
                ReadingDay.meter_id, ReadingDay.day
            ),
        )
        problems = read(
            committed_db,
            sa.select(ImportReject.kind, ImportReject.line, ImportReject.reason)
            .where(ImportReject.job_key == f"{label}:{source}")
            .order_by(ImportReject.kind, ImportReject.line),
        )
        return [tuple(row) for row in days], [tuple(row) for row in problems]

    database_job = run_import("database")
    Runner(committed_app).run_due(names=[import_jobs.JOB_NAME])
    on_database = snapshot("database")
    [database_status] = read(committed_db, sa.select(Job.status).where(Job.id == database_job))
    with committed_db.session() as session:
        session.execute(sa.delete(ReadingDay))
        session.commit()

    output = tmp_path / "worker.out"
    worker = start_worker(worker_env(committed_db, tmp_path, broker_url, queue), output)
    try:
        celery_job = run_import("celery")
        assert celery_job in dispatch_due(committed_app, celery)

        def finished():
            [(status,)] = read(committed_db, sa.select(Job.status).where(Job.id == celery_job))
            return status == "done"

        wait_for(finished, "the readings imported", worker, output, timeout=90)
    finally:
        stop(worker)
    on_celery = snapshot("celery")
    assert database_status == ("done",)
    days, problems = on_database
    assert len(days) == 6  # three meters, two days
    assert [(kind, line) for kind, line, _reason in problems] == [
        ("notice", 2 + 96 + 96 + 42 - 2),  # QM2's reading after the gap
        ("refused", len(lines) - 1),  # the duplicate of QM1's first reading
        ("refused", len(lines)),  # the negative value
    ]
    assert on_celery == on_database
