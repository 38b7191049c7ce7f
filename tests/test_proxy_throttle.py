"""Behind a trusted proxy sign-in throttling counts each client, never the proxy; a
forwarded header from anyone else is ignored; an admin lifts lock-outs from the CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.models import AuditLog, LoginThrottle
from crm_host.runtime.settings import SettingsError
from crm_host.testing import build_app, prepare_database
from crm_host.web import proxies

PROXY = "10.0.0.1"


@pytest.fixture
def behind_proxy(app, monkeypatch):
    """The test app configured for one proxy hop from 10.0.0.1, restored afterwards."""
    original = app.wsgi_app
    monkeypatch.setitem(app.config, "PROXY_FIX_X_FOR", 1)
    monkeypatch.setitem(app.config, "PROXY_FIX_X_PROTO", 1)
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", f"{PROXY}, 192.168.0.0/16")
    # Two failures lock an account, twenty an address (argon2 makes each attempt slow).
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 2)
    proxies.init_app(app)
    yield app
    app.wsgi_app = original


def login(client, username, password, *, peer, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )


def test_many_clients_behind_one_proxy_lock_out_nobody_else(behind_proxy, db, make_user):
    make_user("admin", password="staple battery horse 91", admin=True)
    make_user("bob", password="violet kettle sunrise 27")
    client = behind_proxy.test_client()
    for n in range(1, 13):  # 24 failures through the proxy, more than an address's 20
        for attempt in range(2):
            answer = login(
                client, f"made-up-{n}-{attempt}", "x", peer=PROXY, forwarded=f"198.51.100.{n}"
            )
            assert answer.status_code == 401
    admin = login(
        client, "admin", "staple battery horse 91", peer=PROXY, forwarded="198.51.100.200"
    )
    assert admin.status_code == 200
    bob = login(
        behind_proxy.test_client(),
        "bob",
        "violet kettle sunrise 27",
        peer=PROXY,
        forwarded="198.51.100.7",
    )
    assert bob.status_code == 200
    assert db.get(LoginThrottle, f"ip:{PROXY}") is None
    assert db.get(LoginThrottle, "ip:198.51.100.7").failures == 2

    # One client spraying 20 names locks itself, not its neighbours behind the proxy.
    for n in range(20):
        login(client, f"spray-{n}", "x", peer=PROXY, forwarded="198.51.100.66")
    assert db.get(LoginThrottle, "ip:198.51.100.66").locked_until is not None
    fresh = behind_proxy.test_client()
    assert (
        login(
            fresh, "bob", "violet kettle sunrise 27", peer=PROXY, forwarded="198.51.100.66"
        ).status_code
        == 401
    )
    assert (
        login(
            fresh, "admin", "staple battery horse 91", peer=PROXY, forwarded="198.51.100.8"
        ).status_code
        == 200
    )


def test_a_spoofed_header_from_an_untrusted_client_is_ignored(behind_proxy, db, make_user):
    make_user("bob", password="violet kettle sunrise 27")
    client = behind_proxy.test_client()
    for n in range(20):
        login(client, f"spoof-{n}", "x", peer="203.0.113.9", forwarded=f"198.51.100.{n}")
    assert db.get(LoginThrottle, "ip:203.0.113.9").failures == 20
    assert (
        db.scalar(sa.select(sa.func.count()).where(LoginThrottle.key.like("ip:198.51.100.%"))) == 0
    )
    refused = login(
        client, "bob", "violet kettle sunrise 27", peer="203.0.113.9", forwarded="192.0.2.1"
    )
    assert refused.status_code == 401


def test_without_hop_counts_no_header_is_trusted(app, db, make_user):
    client = app.test_client()
    for n in range(3):
        login(client, f"nobody-{n}", "x", peer=PROXY, forwarded="198.51.100.9")
    assert db.get(LoginThrottle, f"ip:{PROXY}").failures == 3
    assert db.get(LoginThrottle, "ip:198.51.100.9") is None


def test_admins_lift_lockouts_from_the_cli(behind_proxy, db, make_user, cli):
    make_user("ann", password="granite meadow lantern 55")
    client = behind_proxy.test_client()
    for n in range(20):
        login(client, f"spray-{n}", "x", peer="203.0.113.9")
    for _ in range(2):
        login(client, "ann", "wrong", peer="198.51.100.3")
    listing = cli("throttle", "list").output
    assert "ip:203.0.113.9" in listing and "user:ann" in listing
    assert listing.index("locked until") < listing.index("counting")

    assert (
        "Cleared 20 failed sign-in(s) for address 203.0.113.9"
        in cli("throttle", "clear", "203.0.113.9").output
    )
    assert (
        login(client, "ann", "granite meadow lantern 55", peer="203.0.113.9").status_code == 401
    )  # ann is still locked
    assert "Cleared 2 failed sign-in(s) for user ann" in cli("users", "unlock", "ann").output
    assert login(client, "ann", "granite meadow lantern 55", peer="203.0.113.9").status_code == 200
    unlocked = db.scalars(sa.select(AuditLog.object_id).where(AuditLog.action == "unlock")).all()
    assert sorted(unlocked) == ["ip:203.0.113.9", "user:ann"]
    assert "nothing to do" in cli("throttle", "clear", "192.0.2.55").output


def test_the_app_factory_wires_the_settings(crm_databases, tmp_path):
    url = crm_databases.create("proxyfix")
    prepare_database(url, [], {})
    app = build_app(url, tmp_path, PROXY_FIX_X_FOR=2, TRUSTED_PROXIES="*")
    assert isinstance(app.wsgi_app, proxies.TrustedProxyFix)
    assert app.wsgi_app.networks is None and app.wsgi_app.fixed.x_for == 2
    assert not isinstance(build_app(url, tmp_path / "plain").wsgi_app, proxies.TrustedProxyFix)
    with pytest.raises(SettingsError, match="CRM_PROXY_FIX_X_HOST"):
        proxies.hop_counts({"PROXY_FIX_X_HOST": "two"})
    with pytest.raises(SettingsError, match="'gateway'"):
        proxies.trusted_networks("10.0.0.0/8, gateway")
