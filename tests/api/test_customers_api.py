"""The customers API: create, read, update, archive, search, filter, sort, pages; bad input is 4xx."""

from __future__ import annotations

import pytest

from crm_host.core.models import AuditLog, Customer


@pytest.fixture
def manager(make_user, client_for):
    return client_for(make_user("mgr", departments=["sales"], role="manager"))


def create(client, **fields):
    body = {"code": "C1", "name": "王芳", "kind": "person", **fields}
    return client.post("/api/v1/customers", json=body)


def test_create_read_update_archive(manager, db):
    created = create(
        manager,
        email=" Wang.Fang@Example.CN ",
        phone="+86 138-1234-5678",
        city="苏州",
        departments=["sales"],
        tags=["vip"],
        birth_date="1990-02-03",
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["email"] == "wang.fang@example.cn"
    assert body["phone"] == "+8613812345678"
    assert body["departments"] == ["sales"] and body["tags"] == ["vip"]
    assert body["birth_date"] == "1990-02-03" and body["lifecycle_stage"] == "prospect"
    customer_id = body["id"]

    assert manager.get(f"/api/v1/customers/{customer_id}").json["name"] == "王芳"
    changed = manager.patch(
        f"/api/v1/customers/{customer_id}", json={"tier": "gold", "city": "杭州"}
    )
    assert changed.status_code == 200 and changed.json["tier"] == "gold"

    assert manager.delete(f"/api/v1/customers/{customer_id}").status_code == 204
    assert manager.get("/api/v1/customers").json["items"] == []
    archived = manager.get("/api/v1/customers?archived=true").json["items"]
    assert [c["code"] for c in archived] == ["C1"]

    entries = db.query(AuditLog).filter_by(object_type="customer", object_id=str(customer_id))
    actions = [(e.action, e.actor) for e in entries.order_by(AuditLog.id)]
    assert actions == [("create", "mgr"), ("update", "mgr"), ("archive", "mgr")]
    update = entries.filter_by(action="update").one()
    assert update.before == {"tier": None, "city": "苏州"}
    assert update.after == {"tier": "gold", "city": "杭州"}


def test_bad_input_gets_field_errors_never_a_500(manager):
    assert create(manager).status_code == 201
    duplicate = create(manager)
    assert duplicate.status_code == 409
    assert duplicate.json["errors"] == {"code": ["Already used by another customer."]}

    bad = create(
        manager, code="C2", kind="robot", email="nope", phone="call me", birth_date="1990-13-01"
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"kind", "email", "phone", "birth_date"}

    wrong_type = manager.post(
        "/api/v1/customers", json={"code": 5, "name": ["x"], "kind": "person"}
    )
    assert wrong_type.status_code == 422
    assert set(wrong_type.json["errors"]["json"]) == {"code", "name"}

    unknown = create(manager, code="C3", colour="blue")
    assert unknown.status_code == 422 and "colour" in unknown.json["errors"]["json"]

    huge = create(manager, code="C4", owner_id=10**30)
    assert huge.status_code == 422
    assert manager.get(f"/api/v1/customers/{10**30}").status_code == 404
    assert manager.get("/api/v1/customers/0").status_code == 404
    assert manager.get("/api/v1/customers?limit=100000").status_code == 422
    assert manager.get("/api/v1/customers?cursor=%%%").status_code == 400
    assert manager.get("/api/v1/customers?sort=password").status_code == 422
    assert manager.post(
        "/api/v1/customers", data="{", content_type="application/json"
    ).status_code in (400, 422)
    not_allowed = manager.put("/api/v1/customers")
    assert not_allowed.status_code == 405 and "GET" in not_allowed.headers["Allow"]
    missing_parent = create(manager, code="C5", parent_code="NOPE")
    assert missing_parent.json["errors"] == {"parent_code": ["No customer with code 'NOPE'."]}


def test_search_filters_and_keyset_pages(manager, db):
    names = ["王芳", "王芳芳", "王强", "李娜", "Zoë Smith", "ＡＢＣ Trading"]
    for i, name in enumerate(names):
        kind = "organization" if "Trading" in name else "person"
        assert (
            create(
                manager,
                code=f"K{i}",
                name=name,
                kind=kind,
                city="苏州" if i % 2 else "杭州",
                phone=f"+861380000000{i}",
                tags=["vip"] if i < 2 else [],
            ).status_code
            == 201
        )

    def codes(query):
        response = manager.get(f"/api/v1/customers?{query}")
        assert response.status_code == 200, response.json
        return [c["code"] for c in response.json["items"]]

    assert codes("q=王芳") == ["K0", "K1"]  # a name prefix
    assert codes("q=芳") == ["K0", "K1"]  # one character inside the name
    assert codes("q=芳芳") == ["K1"]  # a two-character given name
    assert codes("q=smith") == ["K4"]
    assert codes("q=abc") == ["K5"]  # full-width folded
    assert codes("q=K3") == ["K3"]  # exact code
    assert codes("q=%2B86 138 0000 0002") == ["K2"]  # phone, spaces ignored
    assert codes("kind=organization") == ["K5"]
    assert codes("tag=vip") == ["K0", "K1"]
    assert codes("city=苏州&sort=code") == ["K1", "K3", "K5"]
    assert codes("sort=-code") == ["K5", "K4", "K3", "K2", "K1", "K0"]

    seen, cursor = [], None
    while True:
        url = "/api/v1/customers?sort=code&limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = manager.get(url).json
        seen += [c["code"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["K0", "K1", "K2", "K3", "K4", "K5"]
    by_created = codes("sort=created_at&limit=200")
    assert sorted(by_created) == sorted(seen)


def test_contacts_addresses_and_tags(manager):
    customer_id = create(manager, kind="organization", name="苏州恒力钢铁有限公司").json["id"]
    contact = manager.post(
        f"/api/v1/customers/{customer_id}/contacts", json={"name": "李娜", "is_primary": True}
    )
    assert contact.status_code == 201
    address = manager.post(
        f"/api/v1/customers/{customer_id}/addresses",
        json={"line1": "工业园区 8 号", "city": "苏州", "kind": "service"},
    )
    assert address.status_code == 201 and address.json["country"] == "CN"
    bad = manager.post(
        f"/api/v1/customers/{customer_id}/addresses", json={"line1": "x", "country": "China"}
    )
    assert bad.status_code == 422 and "country" in bad.json["errors"]["json"]
    detail = manager.get(f"/api/v1/customers/{customer_id}").json
    assert [c["name"] for c in detail["contacts"]] == ["李娜"]
    assert [a["city"] for a in detail["addresses"]] == ["苏州"]
    contact_id = contact.json["id"]
    assert (
        manager.patch(
            f"/api/v1/customers/{customer_id}/contacts/{contact_id}", json={"title": "总经理"}
        ).json["title"]
        == "总经理"
    )
    other = create(manager, code="C9").json["id"]
    assert manager.delete(f"/api/v1/customers/{other}/contacts/{contact_id}").status_code == 404
    assert (
        manager.delete(f"/api/v1/customers/{customer_id}/contacts/{contact_id}").status_code == 204
    )
    tagged = manager.put(
        f"/api/v1/customers/{customer_id}/tags", json={"tags": ["vip", "重点客户", "vip"]}
    )
    assert tagged.json["tags"] == ["vip", "重点客户"]


def test_custom_fields_are_validated_and_filterable(make_user, client_for, manager):
    admin = client_for(make_user("root", admin=True))
    assert (
        admin.post(
            "/api/v1/custom-fields",
            json={
                "name": "industry",
                "type": "choice",
                "label": "Industry",
                "label_zh": "行业",
                "choices": ["steel", "retail"],
            },
        ).status_code
        == 201
    )
    assert (
        admin.post(
            "/api/v1/custom-fields",
            json={
                "name": "employees",
                "type": "number",
                "label": "Employees",
                "label_zh": "员工数",
            },
        ).status_code
        == 201
    )
    assert (
        manager.post(
            "/api/v1/custom-fields", json={"name": "x", "type": "text", "label": "X"}
        ).status_code
        == 403
    )
    ok = create(manager, kind="organization", custom={"industry": "steel", "employees": "1200"})
    assert ok.status_code == 201 and ok.json["custom"] == {"industry": "steel", "employees": 1200}
    bad = create(
        manager, code="C2", custom={"industry": "mining", "colour": "red", "employees": "many"}
    )
    found = manager.get("/api/v1/customers?custom=industry:steel").json["items"]
    assert [c["code"] for c in found] == ["C1"]
    assert manager.get("/api/v1/customers?custom=industry:retail").json["items"] == []
    assert manager.get("/api/v1/customers?custom=nonsense").status_code == 422
    assert bad.status_code == 422
    assert bad.json["errors"] == {
        "custom.industry": ["Must be one of: steel, retail."],
        "custom.colour": ["No such custom field."],
        "custom.employees": ["Must be a number."],
    }


def test_customer_rows_keep_utc_timestamps(manager, db):
    created = create(manager)
    customer = db.get(Customer, created.json["id"])
    assert (
        customer.created_at.tzinfo is not None
        and customer.created_at.utcoffset().total_seconds() == 0
    )
    assert created.json["created_at"].endswith("+00:00")
