"""One answer across the shared services: a hidden object is a missing one, but audited."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.core.models import AuditLog


def _denials(db):
    db.expire_all()
    return [
        (e.actor, e.after["path"], e.after["reason"], e.plugin)
        for e in db.scalars(
            sa.select(AuditLog).where(AuditLog.action == "access_denied").order_by(AuditLog.id)
        )
    ]


def test_missing_and_hidden_objects_answer_the_same_404_and_only_the_hidden_is_audited(
    db, make_user, make_customer, client_for
):
    from crm_service.tickets import open_ticket

    customer = make_customer()
    ticket = open_ticket(db, customer_id=customer.id, ticket_type="inquiry", subject="停电")
    db.commit()
    seller = client_for(make_user("sid", departments=["sales"], role="manager"))
    hidden = seller.get(f"/api/v1/attachments?object_type=service.ticket&object_id={ticket.id}")
    missing = seller.get(
        f"/api/v1/attachments?object_type=service.ticket&object_id={ticket.id + 999}"
    )
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json["message"] == f"no service.ticket with id {ticket.id}"
    assert missing.json["message"] == f"no service.ticket with id {ticket.id + 999}"
    assert hidden.json["errors"] == missing.json["errors"]
    assert _denials(db) == [
        (
            "sid",
            "/api/v1/attachments",
            f"service.ticket {ticket.id}: the plugin service is not enabled for the user's departments",
            "service",
        )
    ]
