"""Sign-in throttling and lock-out per account and per address; cookie flags."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import AuditLog, LoginThrottle
from crm_host.testing import TEST_PASSWORD


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


def test_a_lockout_is_told_to_the_account_owner(app, db, make_user):
    from crm_host.core.models import EmailMessage, Notification

    user = make_user("lena", departments=["sales"])
    user.email = "lena@example.cn"
    db.commit()
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": "lena", "password": "wrong"})
    [note] = db.scalars(sa.select(Notification).where(Notification.user_id == user.id))
    assert note.kind == "security.lockout"
    mails = list(
        db.scalars(sa.select(EmailMessage).where(EmailMessage.to_address == "lena@example.cn"))
    )
    assert len(mails) == 1 and "locked" in mails[0].subject


def test_signing_out_ends_the_session_everywhere(app, db, make_user):
    make_user("sol", departments=["sales"])
    laptop, phone = app.test_client(), app.test_client()
    for client in (laptop, phone):
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "sol", "password": TEST_PASSWORD}
            ).status_code
            == 200
        )
    assert phone.get("/api/v1/auth/me").status_code == 200
    laptop.post("/api/v1/auth/logout")
    # The phone's cookie is still validly signed, but it belongs to an ended session.
    assert phone.get("/api/v1/auth/me").status_code == 401


def test_a_new_password_ends_sessions_and_old_sessions_expire(app, db, make_user):
    from crm_host.domain.directory import set_password

    user = make_user("pia", departments=["sales"])
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"username": "pia", "password": TEST_PASSWORD})
    assert client.get("/api/v1/auth/me").status_code == 200
    set_password(user, "a brand new passphrase")
    db.commit()
    assert client.get("/api/v1/auth/me").status_code == 401
    client.post(
        "/api/v1/auth/login", json={"username": "pia", "password": "a brand new passphrase"}
    )
    assert client.get("/api/v1/auth/me").status_code == 200
    with client.session_transaction() as cookie:  # signed in thirteen hours ago
        cookie["crm_signed_in_at"] -= 13 * 3600
    assert client.get("/api/v1/auth/me").status_code == 401


def test_sign_ins_are_audited_without_the_password(app, db, make_user):
    make_user("otto", departments=["sales"])
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"username": "otto", "password": "not it at all"})
    client.post("/api/v1/auth/login", json={"username": "otto", "password": TEST_PASSWORD})
    entries = list(
        db.scalars(
            sa.select(AuditLog)
            .where(AuditLog.action.in_(["login", "login_failed"]))
            .order_by(AuditLog.id)
        )
    )
    assert [e.action for e in entries] == ["login_failed", "login"]
    assert entries[0].after["username"] == "otto" and entries[1].actor == "otto"
    assert all("not it at all" not in str(e.after) for e in entries)
