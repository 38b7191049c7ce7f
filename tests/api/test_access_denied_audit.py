"""Every refused request (403) is on the audit log: who, what, where and why."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core.models import AuditLog


def denials(db):
    db.expire_all()
    return [
        (
            entry.actor,
            entry.after["method"],
            entry.after["path"],
            entry.after["reason"],
            entry.plugin,
        )
        for entry in db.scalars(
            sa.select(AuditLog).where(AuditLog.action == "access_denied").order_by(AuditLog.id)
        )
    ]


def test_a_refused_api_call_is_audited_and_changes_nothing(db, make_user, client_for):
    viewer = make_user("vera", departments=["sales"], role="viewer")
    client = client_for(viewer)
    refused = client.post(
        "/api/v1/customers", json={"code": "D1", "name": "拒绝", "kind": "person"}
    )
    assert refused.status_code == 403
    [(actor, method, path, reason, plugin)] = denials(db)
    assert (actor, method, path, plugin) == ("vera", "POST", "/api/v1/customers", None)
    assert "host.customers.write" in reason


def test_a_plugin_refused_to_the_department_is_audited_with_the_plugin(db, make_user, client_for):
    agent = make_user("sam", departments=["service"], role="agent")
    answer = client_for(agent).get("/api/v1/sales/leads")
    assert answer.status_code == 403
    [(actor, method, path, reason, plugin)] = denials(db)
    assert (actor, method, path, plugin) == ("sam", "GET", "/api/v1/sales/leads", "sales")
    assert "your departments (Service Centre) do not have it" in reason


def test_a_refused_console_page_is_audited(db, make_user, client_for):
    agent = make_user("ada", departments=["sales"], role="viewer")
    page = client_for(agent).get("/admin/users")
    assert page.status_code == 403
    assert [(a, m, p) for a, m, p, _r, _pl in denials(db)] == [("ada", "GET", "/admin/users")]
