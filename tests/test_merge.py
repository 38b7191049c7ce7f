"""Merging customers moves everything — the host's rows and every plugin's — in one transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.errors import ValidationFailed
from crm_host.core.models import AuditLog, Contact, Customer, Interaction
from crm_host.domain.customers import children, service
from crm_host.domain.customers.merge import merge_customers
from crm_host.records import timeline


def two_customers(db):
    a = service.create_customer(
        db,
        {"code": "A", "name": "王芳", "kind": "person", "tags": ["vip"], "departments": ["sales"]},
    )
    b = service.create_customer(
        db,
        {
            "code": "B",
            "name": "王 芳",
            "kind": "person",
            "tags": ["vip", "new"],
            "email": "wf@example.cn",
            "departments": ["service"],
        },
    )
    children.add_child(db, "contact", b, {"name": "联系人"})
    children.add_child(db, "address", b, {"line1": "人民路 1 号"})
    timeline.add_entry(db, customer_id=b.id, channel="phone", subject="call")
    service.create_customer(
        db, {"code": "B-child", "name": "分公司", "kind": "organization", "parent_id": b.id}
    )
    db.flush()
    return a, b


@pytest.mark.hookspec("crm_customers_merging")
def test_merge_moves_everything_including_plugin_rows(db, holder):
    a, b = two_customers(db)
    db.execute(
        holder.cards.insert(), [{"customer_id": b.id}, {"customer_id": b.id}, {"customer_id": a.id}]
    )
    audit_before = db.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))
    merged_id = b.id

    merge_customers(db, a, b)
    db.commit()

    assert db.get(Customer, merged_id) is None
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Contact).where(Contact.customer_id == a.id)
        )
        == 1
    )
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Interaction)
            .where(Interaction.customer_id == a.id)
        )
        == 1
    )
    assert sorted(t.name for t in a.tags) == ["new", "vip"]
    assert sorted(d.code for d in a.departments) == ["sales", "service"]
    assert a.email == "wf@example.cn"  # filled in: the survivor had none
    assert db.scalar(sa.select(Customer.parent_id).where(Customer.code == "B-child")) == a.id
    cards = db.execute(sa.select(holder.cards.c.customer_id)).scalars().all()
    assert cards == [a.id, a.id, a.id]
    entries = db.scalars(sa.select(AuditLog).where(AuditLog.id > audit_before)).all()
    assert [(e.action, e.object_id) for e in entries] == [("merge", str(a.id))]
    assert entries[0].before["merged"]["code"] == "B"


def test_merge_refuses_when_a_plugin_leaves_rows_behind(db, holder):
    a, b = two_customers(db)
    db.execute(holder.cards.insert(), [{"customer_id": b.id}])
    holder.MOVE["enabled"] = False
    with pytest.raises(ValidationFailed, match=r"fxholder_cards.customer_id \(1\)"):
        merge_customers(db, a, b)


def test_merge_over_the_api_and_the_cli(app, db, make_user, client_for, cli):
    a, b = two_customers(db)
    db.commit()
    manager = client_for(make_user("mgr", departments=["sales"], role="manager"))
    agent = client_for(make_user("agt", departments=["sales"], role="agent"))
    assert (
        agent.post(f"/api/v1/customers/{a.id}/merge", json={"merged_id": b.id}).status_code == 403
    )
    assert (
        manager.post(f"/api/v1/customers/{a.id}/merge", json={"merged_id": a.id}).status_code == 422
    )
    merged = manager.post(f"/api/v1/customers/{a.id}/merge", json={"merged_id": b.id})
    assert merged.status_code == 200 and merged.json["code"] == "A"
    assert manager.get(f"/api/v1/customers/{b.id}").status_code == 404

    service.create_customer(db, {"code": "C", "name": "dup", "kind": "person"})
    db.commit()
    result = cli("customers", "merge", "A", "C")
    assert result.exit_code == 0 and "Merged C into A." in result.output
    assert cli("customers", "merge", "A", "NOPE").exit_code != 0
