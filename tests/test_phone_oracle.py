"""Searching a whole phone or ID number tells who owns it: only for users who may see
the numbers, or through the caller lookup, whose every use is audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core.models import AuditLog
from crm_host.domain.customers import service
from crm_host.domain.directory import create_role

TYPED = ("13800138000", "+86 138 0013 8000", "0086-13800138000")


@pytest.fixture
def owner(db):
    """The owner of a number, and a customer whose code is that number's digits."""
    owner = service.create_customer(
        db,
        {
            "code": "P1",
            "name": "王芳",
            "kind": "person",
            "phone": "+8613800138000",
            "id_number": "11010519491231002X",
        },
    )
    service.create_customer(db, {"code": "13800138000", "name": "编号客户", "kind": "person"})
    db.commit()
    return owner


@pytest.fixture
def viewer(make_user, client_for):
    """Reads everything (the caller lookup included), reveals nothing: the demo viewer."""
    return client_for(make_user("vera", departments=["sales", "service"], role="viewer"))


@pytest.fixture
def manager(make_user, client_for):
    return client_for(make_user("mona", departments=["sales", "service"], role="manager"))


def _codes(client, q):
    answer = client.get("/api/v1/customers", query_string={"q": q})
    assert answer.status_code == 200
    return [c["code"] for c in answer.json["items"]]


def test_a_number_finds_its_owner_only_for_users_who_may_reveal(owner, viewer, manager):
    for typed in TYPED:
        # The viewer's number-shaped query still matches a code, never the phone.
        assert _codes(viewer, typed) == (["13800138000"] if typed == TYPED[0] else []), typed
        assert "P1" in _codes(manager, typed), typed
    assert _codes(viewer, "11010519491231002X") == []
    assert _codes(manager, "11010519491231002X") == ["P1"]
    # Names still match for everyone.
    assert _codes(viewer, "王芳") == ["P1"]


def test_the_console_search_box_is_no_oracle_either(owner, viewer, manager):
    page = viewer.get("/search", query_string={"q": TYPED[1]}, follow_redirects=True)
    assert page.status_code == 200 and "王芳" not in page.get_data(as_text=True)
    page = manager.get("/search", query_string={"q": TYPED[1]}, follow_redirects=True)
    assert "王芳" in page.get_data(as_text=True)


def test_the_caller_lookup_is_audited_per_use_and_masks_the_number(db, owner, viewer, manager):
    found = viewer.get("/api/v1/service/lookup", query_string={"phone": TYPED[2]})
    assert found.status_code == 200
    assert [(r["code"], r["phone"]) for r in found.json] == [("P1", "+86*******8000")]
    assert manager.get("/api/v1/service/lookup?phone=13800138000").json[0]["phone"] == (
        "+8613800138000"
    )
    assert manager.get("/api/v1/service/lookup?phone=13900000000").json == []
    entries = db.scalars(
        sa.select(AuditLog).where(AuditLog.action == "lookup").order_by(AuditLog.id)
    ).all()
    assert [(e.actor, e.plugin, e.row_count, e.after) for e in entries] == [
        # The number as it is compared, in E.164, masked.
        ("vera", "service", 1, {"phone": "+86*******8000", "customer_ids": [owner.id]}),
        ("mona", "service", 1, {"phone": "+86*******8000", "customer_ids": [owner.id]}),
        ("mona", "service", 0, {"phone": "+86*******0000", "customer_ids": []}),
    ]


def test_the_console_lookup_needs_the_lookup_permission(db, owner, make_user, client_for):
    create_role(
        db,
        name="ticket-clerk",
        permissions=[{"permission": p} for p in ("host.customers.read", "service.tickets.*")],
    )
    db.commit()
    clerk = client_for(make_user("tim", departments=["service"], role="ticket-clerk"))
    assert clerk.get("/api/v1/service/lookup?phone=13800138000").status_code == 403
    page = clerk.get("/service/tickets/new", query_string={"phone": "13800138000"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "王芳" not in text and "service.lookup.read" in text
    # Refusals are audited as such; no lookup happened.
    assert db.scalar(sa.select(sa.func.count()).where(AuditLog.action == "lookup")) == 0


def test_a_lead_duplicate_check_matches_by_phone_only_for_users_who_may_reveal(
    owner, make_user, client_for, db
):
    create_role(
        db,
        name="seller",
        permissions=[{"permission": p} for p in ("sales.*", "host.customers.read")],
    )
    db.commit()
    seller = client_for(make_user("sam", departments=["sales"], role="seller"))
    manager = client_for(make_user("max", departments=["sales"], role="manager"))
    lead = seller.post("/api/v1/sales/leads", json={"name": "试探", "phone": "13800138000"})
    assert lead.status_code == 201, lead.json
    url = f"/api/v1/sales/leads/{lead.json['id']}/duplicates"
    assert seller.get(url).json == []
    assert [c["code"] for c in manager.get(url).json] == ["P1"]
