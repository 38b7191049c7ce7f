"""Liveness and readiness for balancers; request ids on every answer (JSON logs: test_json_logs)."""

from __future__ import annotations

from crm_host.core.migrate import downgrade, upgrade
from crm_host.testing import build_app, prepare_database


def test_health_ready_and_request_ids(app):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ready"}
    assert len(ready.headers["X-Request-Id"]) == 32
    echoed = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"
    hostile = client.get("/healthz", headers={"X-Request-Id": "x" * 500})
    assert hostile.headers["X-Request-Id"] != "x" * 500


def test_not_ready_while_migrations_are_pending(crm_databases, tmp_path):
    url = crm_databases.create("ready")
    prepare_database(url, [], {})
    app = build_app(url, tmp_path)
    database = app.extensions["crm"].db
    downgrade(database, [], "host@-1")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["branches"] == ["host"]
    upgrade(database, [], "heads")
    assert app.test_client().get("/readyz").status_code == 200
