"""Tokens, roles and record rules, the audit log, the timeline's visibility, plugin guards."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.core.db import utcnow
from crm_host.core.models import ApiToken, AuditLog, Customer
from crm_host.domain.customers import service
from crm_host.records import audit as audit_module
from crm_host.records import timeline
from crm_host.security.tokens import create_token

FIXTURES = Path(__file__).parents[1] / "fixtures" / "plugins"


def bearer(app, secret):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def test_bearer_tokens_with_scopes_expiry_and_revocation(app, db, make_user, client_for):
    user = make_user("bot-owner", departments=["sales"], role="manager")
    _, read_only = create_token(db, user, name="reader", scopes=["*.read"])
    _, everything = create_token(db, user, name="all", scopes=["*"])
    expired_row, expired = create_token(db, user, name="old", expires_in=timedelta(days=1))
    expired_row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()

    body = {"code": "T1", "name": "令牌客户", "kind": "person"}
    assert bearer(app, read_only).get("/api/v1/customers").status_code == 200
    refused = bearer(app, read_only).post("/api/v1/customers", json=body)
    assert refused.status_code == 403 and "host.customers.write" in refused.json["message"]
    assert bearer(app, everything).post("/api/v1/customers", json=body).status_code == 201
    stale = bearer(app, expired).get("/api/v1/customers")
    assert stale.status_code == 401 and "expired" in stale.json["message"]
    assert bearer(app, "crm_not-a-token").get("/api/v1/customers").status_code == 401

    # Created over the API, the secret is shown once and only its hash is kept.
    owner = client_for(user)
    made = owner.post("/api/v1/tokens", json={"name": "bridge", "scopes": ["host.customers.*"]})
    assert made.status_code == 201 and made.json["token"].startswith("crm_")
    row = db.get(ApiToken, made.json["id"])
    assert made.json["token"] not in (row.token_hash, row.prefix)
    assert owner.delete(f"/api/v1/tokens/{row.id}").status_code == 204
    assert bearer(app, made.json["token"]).get("/api/v1/customers").status_code == 401
    assert "token" not in owner.get("/api/v1/tokens").json[0]


def test_record_rules_limit_agents_to_their_departments(make_user, client_for, db):
    agent = client_for(make_user("agent", departments=["service"], role="agent"))
    viewer = client_for(make_user("viewer", departments=["service"], role="viewer"))
    ours = service.create_customer(
        db, {"code": "S1", "name": "本部门", "kind": "person", "departments": ["service"]}
    )
    theirs = service.create_customer(
        db, {"code": "S2", "name": "别部门", "kind": "person", "departments": ["sales"]}
    )
    db.commit()
    assert agent.patch(f"/api/v1/customers/{ours.id}", json={"tier": "gold"}).status_code == 200
    denied = agent.patch(f"/api/v1/customers/{theirs.id}", json={"tier": "gold"})
    assert denied.status_code == 403 and "for this record" in denied.json["message"]
    assert agent.get(f"/api/v1/customers/{theirs.id}").status_code == 200  # seeing is not scoped
    assert agent.delete(f"/api/v1/customers/{ours.id}").status_code == 403  # no delete at all
    assert viewer.patch(f"/api/v1/customers/{ours.id}", json={"tier": "gold"}).status_code == 403


def test_roles_are_patterns_over_declared_permissions(make_user, client_for):
    admin = client_for(make_user("root", admin=True))
    bad = admin.post(
        "/api/v1/roles",
        json={"name": "typo", "permissions": [{"permission": "host.custmers.read"}]},
    )
    assert bad.status_code == 422
    made = admin.post(
        "/api/v1/roles",
        json={
            "name": "auditor",
            "permissions": [{"permission": "host.audit.*"}, {"permission": "*.read"}],
        },
    )
    assert made.status_code == 201
    names = {p["name"] for p in admin.get("/api/v1/permissions").json}
    assert {"host.customers.read", "host.audit.manage"} <= names


def test_audit_log_cannot_be_changed_through_the_application(app, db, make_user, client_for, cli):
    admin_user = make_user("root", admin=True)
    customer = service.create_customer(db, {"code": "A1", "name": "审计", "kind": "person"})
    db.commit()
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.object_id == str(customer.id))).one()
    entry.after = {"name": "forged"}
    with pytest.raises(audit_module.AuditLogImmutable):
        db.flush()
    db.rollback()
    with pytest.raises(audit_module.AuditLogImmutable):
        db.execute(sa.delete(AuditLog))
    db.rollback()
    with pytest.raises(audit_module.AuditLogImmutable):
        db.delete(db.get(AuditLog, entry.id))
        db.flush()
    db.rollback()

    found = (
        client_for(admin_user).get("/api/v1/audit?object_type=customer&action=create").json["items"]
    )
    assert [e["after"]["code"] for e in found] == ["A1"] and found[0]["actor"] == "system"
    printed = cli("audit", "--object-type", "customer", "--json").output
    assert '"action": "create"' in printed and '"code": "A1"' in printed
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client_for(admin_user), method)("/api/v1/audit").status_code == 405


def test_marketing_cannot_see_a_service_timeline_entry_by_any_host_route(db, make_user, client_for):
    customer = service.create_customer(db, {"code": "TL1", "name": "时间线", "kind": "person"})
    timeline.add_entry(
        db,
        customer_id=customer.id,
        channel="ticket",
        source_plugin="service",
        subject="停电报修 ticket #42",
    )
    timeline.add_entry(db, customer_id=customer.id, channel="phone", subject="host note")
    db.commit()
    marketing = client_for(make_user("mk", departments=["marketing"]))
    service_user = client_for(make_user("sc", departments=["service"]))

    def subjects(client):
        return [
            e["subject"]
            for e in client.get(f"/api/v1/customers/{customer.id}/timeline").json["items"]
        ]

    assert sorted(subjects(service_user)) == ["host note", "停电报修 ticket #42"]
    assert subjects(marketing) == ["host note"]
    # No other host route shows it to marketing either.
    for url in (
        "/api/v1/customers",
        f"/api/v1/customers/{customer.id}",
        "/api/v1/customers?q=TL1",
        "/api/v1/customers?archived=true",
    ):
        response = marketing.get(url)
        assert response.status_code == 200
        assert "停电报修" not in response.text


@pytest.mark.hookspec("crm_validate_customers")
def test_a_plugin_guard_vetoes_the_write_naming_the_plugin(app, db, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    guard = importlib.import_module("crm_fx_guard")
    host = app.extensions["crm"]
    host.plugins.pm.register(guard, name="fx_guard")
    try:
        with app.app_context():
            with pytest.raises(Exception, match="plugin fx_guard refused the customer: no robots"):
                service.create_customer(db, {"code": "R1", "name": "Robot", "kind": "person"})
            db.rollback()
            assert db.scalar(sa.select(Customer.id).where(Customer.code == "R1")) is None
            service.create_customer(db, {"code": "H1", "name": "Human", "kind": "person"})
            assert guard.SEEN[-1] == ["H1"]
    finally:
        host.plugins.pm.unregister(name="fx_guard")


@pytest.mark.hookspec("crm_register_permissions")
def test_plugins_declare_permissions_checked_for_names_and_duplicates():
    from crm_host.plugins.facade import PluginError
    from crm_host.security.permissions import Permission, PermissionRegistry

    registry = PermissionRegistry()
    registry.add("plugin sales", "sales", [Permission("sales.leads.read", "See leads")])
    with pytest.raises(
        PluginError, match="plugin power: permission 'sales.meters.read' must be named power"
    ):
        registry.add("plugin power", "power", [Permission("sales.meters.read", "x")])
    with pytest.raises(PluginError, match="declared by plugin sales already"):
        registry.add("plugin other", "sales", [Permission("sales.leads.read", "again")])
    assert registry.matching("*.read") == ["sales.leads.read"]
