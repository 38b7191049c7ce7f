"""Sign-in throttling and lock-out per account and per address; cookie flags."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from crm_host.db import utcnow
from crm_host.models import AuditLog, LoginThrottle


def login(client, username, password, address="10.0.0.7"):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_account_locks_after_five_failures_even_for_the_right_password(app, db, make_user):
    make_user("ann", password="the right password")
    client = app.test_client()
    for _ in range(5):
        assert login(client, "ann", "wrong").status_code == 401
    refused = login(client, "ann", "the right password")
    assert refused.status_code == 401  # the same answer as a wrong password
    assert (
        db.scalar(sa.select(AuditLog.object_id).where(AuditLog.action == "lockout")) == "user:ann"
    )

    db.execute(sa.update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    ok = login(client, "ann", "the right password")
    assert ok.status_code == 200
    assert db.get(LoginThrottle, "user:ann") is None  # success clears the account's count
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_spraying_from_one_address_is_stopped(app, db, make_user):
    make_user("bob", password="bob's good password")
    client = app.test_client()
    for n in range(50):
        login(client, f"someone{n}", "guess", address="203.0.113.9")
    assert login(client, "bob", "bob's good password", address="203.0.113.9").status_code == 401
    assert login(client, "bob", "bob's good password", address="198.51.100.4").status_code == 200


def test_unknown_users_count_too_and_reveal_nothing(app, db):
    client = app.test_client()
    answers = {login(client, "ghost", "x").json["message"] for _ in range(3)}
    assert answers == {"Unknown username or wrong password."}
    assert db.get(LoginThrottle, "user:ghost").failures == 3
