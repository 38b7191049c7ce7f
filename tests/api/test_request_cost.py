"""What a token-authenticated read costs the database: no write, no waiting for writers."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import ApiToken
from crm_host.domain.customers import service
from crm_host.domain.directory import create_user
from crm_host.security.permissions import Permission, PermissionRegistry
from crm_host.security.tokens import LAST_USED_RESOLUTION, create_token, record_use


def test_a_token_notes_its_use_at_most_once_a_minute(app, db, make_user):
    user = make_user("bot-owner", departments=["sales"], role="agent")
    token, secret = create_token(db, user, name="bot")
    db.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    assert client.get("/api/v1/customers").status_code == 200
    db.refresh(token)
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/v1/customers").status_code == 200
    db.refresh(token)
    assert token.last_used_at == first  # within the minute: not written again

    t0 = first + timedelta(hours=1)
    record_use(db, token, now=t0)
    assert token.last_used_at == t0
    record_use(db, token, now=t0 + LAST_USED_RESOLUTION - timedelta(seconds=1))
    assert token.last_used_at == t0
    record_use(db, token, now=t0 + LAST_USED_RESOLUTION)
    assert token.last_used_at == t0 + LAST_USED_RESOLUTION
    stored = db.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.id == token.id))
    assert stored == t0 + LAST_USED_RESOLUTION


@contextmanager
def _another_writer(database):
    """Another connection in the middle of a write, as a concurrent import would be."""
    if database.dialect == "sqlite":
        writer = sqlite3.connect(database.url.database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    else:
        with database.engine.connect() as writer:
            writer.execute(sa.text("LOCK TABLE customers IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                writer.rollback()


def test_reading_customers_does_not_wait_for_a_writer(committed_app, committed_db):
    with committed_db.session() as session:
        session.info.update(committed_app.extensions["crm"].db.info)
        customer = service.create_customer(
            session, {"code": "R1", "name": "读者", "kind": "person"}
        )
        user = create_user(
            session,
            username="reader",
            password="password-123",
            departments=["sales"],
            role="viewer",
        )
        token, secret = create_token(session, user, name="reader", scopes=["*.read"])
        token.last_used_at = utcnow()  # used just now: this request has nothing to write
    client = committed_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    # On SQLite a writing session would wait for the lock (30 s, then a 503).
    with _another_writer(committed_db):
        listed = client.get("/api/v1/customers")
        detail = client.get(f"/api/v1/customers/{customer.id}")
    assert listed.status_code == 200 and [c["code"] for c in listed.json["items"]] == ["R1"]
    assert detail.status_code == 200 and detail.json["name"] == "读者"


def test_permission_patterns_resolve_again_after_new_declarations():
    registry = PermissionRegistry()
    registry.add("the host", "host", [Permission("host.a.read", "A")])
    assert registry.matching("*.read") == ["host.a.read"]
    registry.add("plugin x", "x", [Permission("x.b.read", "B"), Permission("x.b.write", "B")])
    assert registry.matching("*.read") == ["host.a.read", "x.b.read"]
    registry.matching("*.read").append("x.b.write")  # a caller's list is its own
    assert registry.matching("*.read") == ["host.a.read", "x.b.read"]
    assert registry.matching("x.*") == ["x.b.read", "x.b.write"]
