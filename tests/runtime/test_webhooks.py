"""Outgoing webhooks: signed, retried while the receiver is down, delivered once it is back."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from crm_host.core.models import Job
from crm_host.runtime.facade import emit, get_runtime
from crm_host.runtime.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    list_subscriptions,
    verify_signature,
)


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 503 to the first ``failures`` requests."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[int, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(receiver.requests) < receiver.failures else 200
                receiver.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/crm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def loopback_allowed(app, monkeypatch):
    """These receivers listen on 127.0.0.1: the admin allows it, as a deployment would
    for a receiver of its own network (internal addresses are refused otherwise)."""
    runtime = get_runtime(app)
    allowed = replace(runtime.settings, webhook_allowed_hosts="127.0.0.1")
    monkeypatch.setattr(runtime, "settings", allowed)


@pytest.fixture
def admin(make_user, client_for):
    return client_for(make_user("hooks-admin", admin=True))


def test_a_receiver_that_was_down_gets_the_event_once_it_is_back(db, admin, deliver_outbox):
    with Receiver(failures=2) as receiver:
        created = admin.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["crm_customer_merged"]}
        )
        assert created.status_code == 201, created.json
        secret = created.json["secret"]
        assert secret.startswith("whsec_")

        event_id = emit(db, "crm_customer_merged", survivor_id=41, merged_id=42)
        emit(db, "crm_customer_erased", customer_id=41)  # not subscribed
        db.commit()  # delivered inline: the receiver answers 503
        [job] = db.scalars(sa.select(Job).where(Job.name == "host.webhook")).all()
        assert (job.status, job.attempts) == ("queued", 1)
        assert job.error_summary == f"WebhookError: {receiver.url} answered HTTP 503: ok"

        deliver_outbox(later=timedelta(minutes=1))  # second try: 503 again
        deliver_outbox(later=timedelta(minutes=5))  # back up: 200
        db.refresh(job)
        assert (job.status, job.attempts) == ("done", 3)
        assert deliver_outbox(later=timedelta(days=1)) == 0  # and nothing more is sent

    assert [status for status, _h, _b in receiver.requests] == [503, 503, 200]
    _status, headers, body = receiver.requests[-1]
    assert verify_signature(
        secret,
        timestamp=headers[TIMESTAMP_HEADER],
        body=body,
        signature=headers[SIGNATURE_HEADER],
    )
    assert not verify_signature(
        secret,
        timestamp=headers[TIMESTAMP_HEADER],
        body=body + b" ",
        signature=headers[SIGNATURE_HEADER],
    )
    assert not verify_signature(
        "another-secret-0123456789",
        timestamp=headers[TIMESTAMP_HEADER],
        body=body,
        signature=headers[SIGNATURE_HEADER],
    )
    document = json.loads(body)
    assert document["event"] == "crm_customer_merged" and document["id"] == event_id
    assert document["data"] == {"survivor_id": 41, "merged_id": 42}
    # Every attempt carries the same delivery key: the receiver can drop repeats.
    assert {h[DELIVERY_HEADER] for _s, h, _b in receiver.requests} == {job.idempotency_key}


def test_an_unreachable_receiver_is_parked_after_the_last_attempt(db, admin, deliver_outbox):
    with Receiver(failures=0) as receiver:
        url = receiver.url  # the port closes when the receiver stops
    admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
    emit(db, "crm_customer_erased", customer_id=7)
    db.commit()
    for day in range(1, 12):
        deliver_outbox(later=timedelta(days=day))
    [job] = db.scalars(sa.select(Job).where(Job.name == "host.webhook")).all()
    assert (job.status, job.attempts) == ("failed", 8)
    assert job.error_summary.startswith(f"WebhookError: {url}: ")


def test_paused_subscriptions_get_nothing(db, admin):
    hook = admin.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["*"], "active": False}
    ).json
    emit(db, "crm_customer_erased", customer_id=7)
    db.commit()
    assert db.scalars(sa.select(Job).where(Job.name == "host.webhook")).all() == []
    assert admin.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": True}).json["active"]


def test_webhook_api_manages_subscriptions_and_refuses_bad_input(db, admin, make_user, client_for):
    made = admin.post(
        "/api/v1/webhooks",
        json={
            "url": "https://erp.example.com/in",
            "events": ["crm_customer_merged", "crm_fxlc_pinged"],
            "secret": "s" * 32,
            "description": "ERP",
        },
    )
    assert made.status_code == 201 and made.json["secret"] == "s" * 32
    hook_id = made.json["id"]
    listed = admin.get("/api/v1/webhooks").json
    assert [h["url"] for h in listed] == ["https://erp.example.com/in"]
    assert (
        "secret" not in listed[0] and "secret" not in admin.get(f"/api/v1/webhooks/{hook_id}").json
    )

    for body, field, message in [
        ({"url": "ftp://erp/in", "events": ["*"]}, "url", "Must start with http:// or https://."),
        ({"url": "https://", "events": ["*"]}, "url", "Must name a host."),
        ({"url": "https://e.com", "events": ["crm_nope"]}, "events", "unknown event(s): crm_nope"),
        (
            {"url": "https://e.com", "events": ["*"], "secret": "short"},
            "secret",
            "between 16 and 200",
        ),
    ]:
        refused = admin.post("/api/v1/webhooks", json=body)
        assert refused.status_code == 422, (body, refused.json)
        assert message in json.dumps(refused.json, ensure_ascii=False), refused.json
        assert field in refused.json["errors"] or field in json.dumps(refused.json["errors"])

    changed = admin.patch(f"/api/v1/webhooks/{hook_id}", json={"events": ["*"]})
    assert changed.status_code == 200 and changed.json["events"] == ["*"]
    assert admin.patch(f"/api/v1/webhooks/{hook_id}", json={"url": "nope"}).status_code == 422
    manager = client_for(make_user("mgr", departments=["sales"], role="manager"))
    refused = manager.get("/api/v1/webhooks")
    assert refused.status_code == 403 and "host.webhooks.manage" in refused.json["message"]
    assert admin.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    assert admin.get(f"/api/v1/webhooks/{hook_id}").status_code == 404


def test_webhook_commands(cli, db):
    added = cli("webhooks", "add", "https://erp.example.com/in", "--event", "crm_customer_erased")
    assert added.exit_code == 0, added.output
    [subscription] = list_subscriptions(db)
    hook_id = subscription.id
    assert f"webhook {hook_id}: https://erp.example.com/in ← crm_customer_erased" in added.output
    assert f"secret: {subscription.secret}" in added.output
    listed = cli("webhooks", "list")
    assert "active  https://erp.example.com/in  crm_customer_erased" in listed.output
    bad = cli("webhooks", "add", "erp.example.com", "--event", "*")
    assert bad.exit_code == 1
    assert "Error: the webhook URL is not valid: Must start with http:// or https://." in bad.output
    assert "Traceback" not in bad.output
    unknown = cli("webhooks", "add", "https://e.com", "--event", "crm_nope")
    assert unknown.exit_code == 1 and "unknown event(s): crm_nope" in unknown.output
    assert cli("webhooks", "remove", str(hook_id)).output == f"webhook {hook_id} removed\n"
    missing = cli("webhooks", "remove", str(hook_id))
    assert missing.exit_code == 1 and f"no webhook with id {hook_id}" in missing.output


# --- internal addresses -------------------------------------------------------------------


def _allow(app, monkeypatch, setting):
    runtime = get_runtime(app)
    monkeypatch.setattr(
        runtime, "settings", replace(runtime.settings, webhook_allowed_hosts=setting)
    )


@pytest.mark.parametrize(
    "address, internal",
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # the cloud metadata address
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("fd00:ec2::254", True),  # metadata over IPv6
        ("::ffff:127.0.0.1", True),  # IPv4-mapped
        ("::ffff:169.254.169.254", True),
        ("2002:a00:1::", True),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 of 169.254.169.254
        ("ff02::1", True),
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2001:4860:4860::8888", False),
        ("::ffff:8.8.8.8", False),
    ],
)
def test_internal_addresses_are_told_apart(address, internal):
    import ipaddress

    from crm_host.runtime.webhook_targets import is_internal

    assert is_internal(ipaddress.ip_address(address)) is internal


INTERNAL_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://[::1]:8080/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://0x7f000001/hook",  # and in hex
]


def test_internal_urls_are_refused_when_saved(app, db, admin, cli, monkeypatch):
    _allow(app, monkeypatch, None)
    for url in INTERNAL_URLS:
        refused = admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert refused.status_code == 422, (url, refused.json)
        [message] = refused.json["errors"]["url"]
        assert message.startswith(f"{url} reaches the internal address "), message
        assert "CRM_WEBHOOK_ALLOWED_HOSTS" in message
    public = admin.post(
        "/api/v1/webhooks", json={"url": "https://93.184.216.34/in", "events": ["*"]}
    )
    assert public.status_code == 201
    moved = admin.patch(
        f"/api/v1/webhooks/{public.json['id']}", json={"url": "http://169.254.169.254/x"}
    )
    assert moved.status_code == 422 and "169.254.169.254" in moved.json["errors"]["url"][0]
    added = cli("webhooks", "add", "http://127.0.0.1:9/x", "--event", "*")
    assert added.exit_code == 1
    assert "http://127.0.0.1:9/x reaches the internal address 127.0.0.1" in added.output
    assert [s.url for s in list_subscriptions(db)] == ["https://93.184.216.34/in"]


def test_the_allow_list_names_hosts_and_networks(app, db, admin, monkeypatch):
    _allow(app, monkeypatch, "localhost, 10.0.0.0/8")
    for url, status in [
        ("http://localhost/hook", 201),
        ("http://10.20.30.40/hook", 201),
        ("http://127.0.0.1/hook", 422),  # localhost by name only
        ("http://192.168.1.1/hook", 422),
    ]:
        answer = admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert answer.status_code == status, (url, answer.json)


def test_a_delivery_rechecks_dns_and_connects_to_the_address_it_checked(
    app, db, admin, monkeypatch, deliver_outbox
):
    from crm_host.runtime import webhook_targets

    _allow(app, monkeypatch, None)
    answers = {"hooks.example.test": "93.184.216.34"}  # public when saved
    monkeypatch.setattr(
        webhook_targets,
        "resolve",
        lambda host, port: [__import__("ipaddress").ip_address(answers[host])],
    )
    with Receiver(failures=0) as receiver:
        port = receiver.server.server_address[1]
        url = f"http://hooks.example.test:{port}/hooks/crm"
        assert admin.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}).status_code == 201
        # The name now points inside (DNS rebinding): the delivery refuses, sends nothing.
        answers["hooks.example.test"] = "127.0.0.1"
        emit(db, "crm_customer_erased", customer_id=7)
        db.commit()
        [job] = db.scalars(sa.select(Job).where(Job.name == "host.webhook")).all()
        assert job.error_summary == (
            f"WebhookError: {url} reaches the internal address 127.0.0.1; an admin may "
            "allow it with the setting CRM_WEBHOOK_ALLOWED_HOSTS"
        )
        assert receiver.requests == []
        # Allowed by name: the request goes to the address checked (this name is in no
        # DNS), with the URL's host in the Host header.
        _allow(app, monkeypatch, "hooks.example.test")
        deliver_outbox(later=timedelta(minutes=5))
        assert len(receiver.requests) == 1
        assert receiver.requests[0][1]["Host"] == f"hooks.example.test:{port}"


def test_tls_to_a_checked_address_still_checks_the_host_name():
    # The connection goes to the address; the certificate and SNI are the URL's host's.
    from crm_host.runtime.webhook_targets import _PinnedHostAdapter

    adapter = _PinnedHostAdapter("hooks.example.com")
    connection = adapter.poolmanager.connection_from_url("https://93.184.216.34/in")._new_conn()
    assert connection.host == "93.184.216.34"
    assert connection.server_hostname == "hooks.example.com"
    assert connection.assert_hostname == "hooks.example.com"
