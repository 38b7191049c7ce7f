"""Faults: a lost database answers 503 and recovers without a restart; a plugin's failing
guard rolls the write back naming the plugin while the host keeps serving."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from crm_host.domain.directory import create_user
from crm_host.testing import login


def test_a_database_error_mid_request_is_a_503(app, make_user, client_for, monkeypatch):
    client = client_for(make_user("m", departments=["sales"]))

    def broken(*args, **kwargs):
        raise sa_exc.OperationalError("SELECT …", {}, Exception("server closed the connection"))

    monkeypatch.setattr("crm_host.api.customers.fetch_page", broken)
    answer = client.get("/api/v1/customers")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert "unavailable" in answer.json["message"]
    monkeypatch.undo()
    assert client.get("/api/v1/customers").status_code == 200


def test_killed_connections_recover_without_a_restart(
    committed_app, committed_db, crm_database_backend
):
    if crm_database_backend != "postgresql":
        pytest.skip("connections to kill exist on PostgreSQL only")
    with committed_db.session() as session:
        user = create_user(session, username="k", password="password-123", is_admin=True)
    client = login(committed_app.test_client(), user)
    assert client.get("/api/v1/customers").status_code == 200
    # Kill every connection of the app's pool, as a database restart or failover would.
    admin = sa.create_engine(committed_db.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.scalar(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    assert killed >= 1
    answers = [client.get("/api/v1/customers").status_code for _ in range(3)]
    assert answers[-1] == 200 and set(answers) <= {200, 503}
