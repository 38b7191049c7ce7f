"""Customers carry a version: ETag on reads, If-Match on writes, stale ORM writes refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from crm_host.core.models import Customer
from crm_host.domain.customers import service
from crm_host.domain.importing.customers import CustomerImporter
from crm_host.domain.importing.readers import Record
from crm_host.testing.versions import assert_delete_if_match, assert_if_match_protocol


@pytest.fixture
def manager(make_user, client_for):
    return client_for(make_user("vmgr", departments=["sales"], role="manager"))


@pytest.fixture
def customer_id(manager):
    created = manager.post(
        "/api/v1/customers", json={"code": "V1", "name": "王芳", "kind": "person"}
    )
    assert created.status_code == 201
    assert created.json["id"]
    return created.json["id"]


def test_a_new_customer_is_version_one_and_each_write_adds_one(manager, customer_id, db):
    url = f"/api/v1/customers/{customer_id}"
    assert manager.get(url).headers["ETag"] == f'"{customer_id}.1"'
    assert manager.patch(url, json={"city": "苏州"}).headers["ETag"] == f'"{customer_id}.2"'
    # A change of tags alone (no column of the row) is a new version too.
    tagged = manager.put(f"{url}/tags", json={"tags": ["vip"]})
    assert tagged.headers["ETag"] == f'"{customer_id}.3"'
    assert db.scalar(sa.select(Customer.version).where(Customer.id == customer_id)) == 3


def test_customer_patch_honours_if_match(manager, customer_id, app, db):
    url = f"/api/v1/customers/{customer_id}"
    final = assert_if_match_protocol(
        manager,
        app,
        url,
        write=("PATCH", url),
        bodies=[{"city": "苏州"}, {"city": "杭州"}, {"city": "无锡"}],
    )
    # Three accepted writes after version 1; the refused ones left the city alone.
    assert final == f'"{customer_id}.4"'
    assert manager.get(url).json["city"] == "无锡"


def test_customer_tags_put_honours_if_match(manager, customer_id, app):
    url = f"/api/v1/customers/{customer_id}"
    assert_if_match_protocol(
        manager,
        app,
        url,
        write=("PUT", f"{url}/tags"),
        bodies=[{"tags": ["a"]}, {"tags": ["b"]}, {"tags": ["c"]}],
    )
    assert manager.get(url).json["tags"] == ["c"]


def test_customer_delete_honours_if_match(manager, customer_id, app):
    url = f"/api/v1/customers/{customer_id}"
    # Archiving keeps the customer readable by id: the GET still answers 200.
    assert_delete_if_match(manager, app, url, url, gone=200)
    assert manager.get(url).json["archived_at"] is not None


def test_a_write_that_loses_the_race_is_refused_not_applied(manager, customer_id, db, monkeypatch):
    """Someone else's write lands between this request's read and its UPDATE."""
    url = f"/api/v1/customers/{customer_id}"
    update = service.update_customer

    def racing(session, customer, data, **kwargs):
        session.execute(
            Customer.__table__.update()
            .where(Customer.__table__.c.id == customer.id)
            .values(city="南京", version=Customer.__table__.c.version + 1)
        )
        return update(session, customer, data, **kwargs)

    monkeypatch.setattr(service, "update_customer", racing)
    with_header = manager.patch(
        url, json={"city": "苏州"}, headers={"If-Match": f'"{customer_id}.1"'}
    )
    assert with_header.status_code == 412 and "someone else" in with_header.json["message"]
    without = manager.patch(url, json={"city": "苏州"})
    assert without.status_code == 409 and "someone else" in without.json["message"]
    monkeypatch.undo()
    assert manager.get(url).json["city"] is None  # both racing writes were rolled back


def test_the_orm_refuses_to_flush_a_stale_customer(db, make_customer):
    customer = make_customer(code="V9", name="李雷")
    db.flush()
    db.execute(
        Customer.__table__.update()
        .where(Customer.__table__.c.id == customer.id)
        .values(version=Customer.__table__.c.version + 1)
    )
    customer.city = "上海"
    with pytest.raises(StaleDataError):
        db.flush()


def test_importing_changed_customers_raises_their_version(manager, customer_id, db):
    other = manager.post("/api/v1/customers", json={"code": "V2", "name": "张伟", "kind": "person"})
    other_id = other.json["id"]
    header = {"kind": "person", "city": "", "tags": ""}
    importer = CustomerImporter(db)
    # V1 gets a new city (a column); V2 only a tag (a link row, not the customer's row).
    records = [
        Record(2, {**header, "code": "V1", "name": "王芳", "city": "苏州"}),
        Record(3, {**header, "code": "V2", "name": "张伟", "tags": "vip"}),
    ]
    result = importer.import_batch(db, records)
    assert sorted(result.updated) == sorted([customer_id, other_id])
    db.flush()
    url = f"/api/v1/customers/{customer_id}"
    assert manager.get(url).headers["ETag"] == f'"{customer_id}.2"'
    assert manager.get(url).json["city"] == "苏州"
    other_url = f"/api/v1/customers/{other_id}"
    assert manager.get(other_url).json["tags"] == ["vip"]
    assert manager.get(other_url).headers["ETag"] == f'"{other_id}.2"'


def test_the_harness_catches_a_route_that_forgets_if_match(manager, customer_id, app, monkeypatch):
    import crm_host.api.customers as customers_api

    monkeypatch.setattr(customers_api, "check_if_match", lambda obj: None)
    url = f"/api/v1/customers/{customer_id}"
    with pytest.raises(AssertionError, match="expected 412, got 200"):
        assert_if_match_protocol(
            manager, app, url, write=("PATCH", url), bodies=[{"city": "a"}, {"city": "b"}]
        )


def test_weak_star_and_lists_follow_rfc_9110(manager, customer_id):
    url = f"/api/v1/customers/{customer_id}"
    current = f'"{customer_id}.1"'
    weak = manager.patch(url, json={"city": "a"}, headers={"If-Match": f"W/{current}"})
    assert weak.status_code == 412 and weak.json["errors"] == {"If-Match": [f"expected {current}"]}
    listed = manager.patch(url, json={"city": "b"}, headers={"If-Match": f'"x", {current}'})
    assert listed.status_code == 200 and listed.headers["ETag"] == f'"{customer_id}.2"'
    star = manager.patch(url, json={"city": "c"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.headers["ETag"] == f'"{customer_id}.3"'
    assert (
        manager.patch("/api/v1/customers/999999", json={}, headers={"If-Match": "*"}).status_code
        == 404
    )
