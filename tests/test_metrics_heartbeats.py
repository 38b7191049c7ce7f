"""/metrics (requests by route, queue, outbox, heartbeats), who may read it, worker
heartbeats with their liveness checks, and jobs shown as stalled once their worker is silent."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.core.models import Job, OutboxEvent, WorkerHeartbeat
from crm_host.runtime import heartbeats
from crm_host.runtime.gauges import RuntimeCollector

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def state(db):
    """Jobs in every state, an event waiting for delivery, two heartbeats; returns the clock."""
    now = utcnow().replace(microsecond=0)
    event = OutboxEvent(
        name="crm_customers_created", payload={}, created_at=now - timedelta(seconds=300)
    )
    db.add(event)
    db.flush()

    def job(name, status, **values):
        db.add(Job(name=name, status=status, args={}, **values))

    job("test.alpha", "queued", run_after=now - timedelta(seconds=60))
    job("test.alpha", "queued", run_after=now - timedelta(seconds=10))
    job("test.alpha", "queued", run_after=now + timedelta(seconds=600))  # not due yet
    job("test.delivery", "queued", run_after=now - timedelta(seconds=290), event_id=event.id)
    job("test.beta", "running", heartbeat_at=now - timedelta(seconds=5), claimed_by="w1")
    job("test.beta", "running", heartbeat_at=now - timedelta(seconds=600), claimed_by="gone")
    job("test.beta", "failed")
    job("test.beta", "failed")
    job("test.beta", "done")
    db.add(
        WorkerHeartbeat(
            worker_id="w1", kind="worker", hostname="a", pid=1, last_seen=now - timedelta(seconds=5)
        )
    )
    db.add(
        WorkerHeartbeat(
            worker_id="s1",
            kind="scheduler",
            hostname="a",
            pid=2,
            last_seen=now - timedelta(seconds=500),
        )
    )
    db.commit()
    return now


def test_the_gauges_are_computed_from_the_database(db, state):
    registry = CollectorRegistry()
    registry.register(RuntimeCollector(db, 120, now=state))
    from prometheus_client import generate_latest

    got = _samples(generate_latest(registry).decode())
    assert got[("crm_jobs_queued", (("name", "test.alpha"),))] == 3
    assert got[("crm_jobs_queued", (("name", "test.delivery"),))] == 1
    assert got[("crm_jobs_running", (("name", "test.beta"),))] == 1
    assert got[("crm_jobs_stalled", (("name", "test.beta"),))] == 1
    assert got[("crm_jobs_failed", (("name", "test.beta"),))] == 2
    assert got[("crm_jobs_oldest_due_age_seconds", (("name", "test.alpha"),))] == 60
    assert got[("crm_jobs_oldest_due_age_seconds", (("name", "test.delivery"),))] == 290
    assert got[("crm_outbox_lag_seconds", ())] == 300
    assert got[("crm_worker_heartbeat_age_seconds", (("kind", "worker"), ("worker", "w1")))] == 5
    assert (
        got[("crm_worker_heartbeat_age_seconds", (("kind", "scheduler"), ("worker", "s1")))] == 500
    )
    assert got[("crm_workers_alive", (("kind", "worker"),))] == 1
    assert got[("crm_workers_alive", (("kind", "scheduler"),))] == 0


def test_metrics_count_requests_by_route_and_status(app, db, state):
    client = app.test_client()
    before = _samples(client.get("/metrics", environ_base=LOCAL).get_data(as_text=True))
    for _ in range(2):
        client.get("/healthz")
    client.get("/api/v1/customers/123456789")  # a route with an id: one label, not one per id
    client.get("/no/such/page")
    answer = client.get("/metrics", environ_base=LOCAL)
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    got = _samples(answer.get_data(as_text=True))

    def grew(route, status):
        key = ("crm_http_requests_total", (("method", "GET"), ("route", route), ("status", status)))
        return got.get(key, 0) - before.get(key, 0)

    assert grew("/healthz", "200") == 2
    customer_routes = [
        k for k in got if k[0] == "crm_http_requests_total" and "123456789" in str(k)
    ]
    assert customer_routes == []
    assert grew("<unmatched>", "404") == 1
    latency = (
        "crm_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/healthz")),
    )
    assert got[latency] - before.get(latency, 0) == 2
    assert got[("crm_jobs_queued", (("name", "test.alpha"),))] == 3
    assert 300 <= got[("crm_outbox_lag_seconds", ())] < 360


def test_metrics_are_for_this_machine_or_a_token(app, db, monkeypatch):
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 403
    proxied = client.get("/metrics", environ_base=LOCAL, headers={"X-Forwarded-For": "203.0.113.1"})
    assert proxied.status_code == 403
    assert (
        client.get("/healthz/workers", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 403
    )
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-metrics")
    far = {"REMOTE_ADDR": "10.0.0.5"}
    good = client.get(
        "/metrics", environ_base=far, headers={"Authorization": "Bearer s3cret-metrics"}
    )
    assert good.status_code == 200
    bad = client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer guess"})
    assert bad.status_code == 403
    assert client.get("/metrics", environ_base=LOCAL).status_code == 403  # the token is required


def test_the_embedded_server_shows_the_app_a_forwarded_request(embedded_server):
    # waitress drops forwarded headers it was not told to trust, by default: a request a
    # local proxy forwarded would then look local and be given the metrics.
    def status(headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{embedded_server}/metrics", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status({}) == 200
    assert status({"X-Forwarded-For": "203.0.113.1"}) == 403
    assert status({"Forwarded": "for=203.0.113.1"}) == 403


def test_workers_endpoint_and_health_command(app, db, cli):
    client = app.test_client()
    none = client.get("/healthz/workers", environ_base=LOCAL)
    assert none.status_code == 503 and none.json["processes"] == []
    failed = cli("health", "worker")
    assert failed.exit_code == 1 and "no worker has beaten in the last 120s" in failed.output

    factory = get_host(app).db.session_factory
    heartbeats.beat(factory, "host-a:41:abc", "worker", now=utcnow() - timedelta(seconds=30))
    heartbeats.beat(factory, "host-a:42:def", "scheduler", now=utcnow() - timedelta(seconds=400))
    ok = client.get("/healthz/workers", environ_base=LOCAL)
    assert ok.status_code == 200 and ok.json["status"] == "ok"
    ages = {p["id"]: (p["kind"], p["alive"], p["age_seconds"]) for p in ok.json["processes"]}
    assert ages["host-a:41:abc"][:2] == ("worker", True) and 30 <= ages["host-a:41:abc"][2] < 90
    assert ages["host-a:42:def"][:2] == ("scheduler", False)
    assert cli("health", "worker").exit_code == 0
    assert cli("health", "worker", "--max-age", "10").exit_code == 1
    assert cli("health", "scheduler").exit_code == 1
    assert cli("health", "worker", "--this-host").exit_code == 0
    db.execute(sa.update(WorkerHeartbeat).values(hostname="elsewhere"))
    db.commit()
    assert cli("health", "worker", "--this-host").exit_code == 1
    assert cli("health", "worker").exit_code == 0


def test_a_beat_updates_one_row_and_a_clean_stop_removes_it(app, db):
    factory = get_host(app).db.session_factory
    start = utcnow() - timedelta(seconds=100)
    heartbeats.beat(factory, "w-x", "worker", now=start)
    heartbeats.beat(factory, "w-x", "worker", now=start + timedelta(seconds=15))
    heartbeats.beat(factory, "w-old", "worker", now=start - timedelta(days=2))
    heartbeats.beat(factory, "w-y", "worker", now=start + timedelta(seconds=16))  # prunes w-old
    rows = {r.worker_id: r for r in db.scalars(sa.select(WorkerHeartbeat))}
    assert set(rows) == {"w-x", "w-y"}
    assert rows["w-x"].started_at == start and rows["w-x"].last_seen == start + timedelta(
        seconds=15
    )
    beating = heartbeats.Beating(factory, "sched-1", "scheduler", interval=3600).start()
    assert db.get(WorkerHeartbeat, "sched-1").kind == "scheduler"
    beating.stop()
    db.expire_all()
    assert db.get(WorkerHeartbeat, "sched-1") is None


def test_a_worker_beats_while_it_runs(app, db, monkeypatch):
    from crm_host.runtime._runner import Worker

    forgotten = []
    monkeypatch.setattr(
        heartbeats, "forget", lambda _factory, worker_id: forgotten.append(worker_id)
    )
    worker = Worker(app, until_idle=True)
    worker.run()
    row = db.get(WorkerHeartbeat, worker.worker_id)
    assert row is not None and row.kind == "worker"
    assert forgotten == [worker.worker_id]  # removed on a clean stop


def test_the_jobs_api_shows_a_silent_workers_job_as_stalled(db, state, make_user, client_for):
    admin = client_for(make_user("ops-admin", admin=True))
    ids = dict(
        db.execute(
            sa.select(Job.claimed_by, Job.id).where(
                Job.name == "test.beta", Job.status == "running"
            )
        ).all()
    )
    assert admin.get(f"/api/v1/jobs/{ids['w1']}").json["status"] == "running"
    assert admin.get(f"/api/v1/jobs/{ids['gone']}").json["status"] == "stalled"
    listed = admin.get("/api/v1/jobs", query_string={"name": "test.beta", "status": "running"}).json
    assert sorted(item["status"] for item in listed["items"]) == ["running", "stalled"]
    assert heartbeats.shown_status("queued", None, 120) == "queued"
