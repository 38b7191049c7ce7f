"""Phone and ID numbers encrypted at rest, found by blind index, masked without the
reveal permission; keys rotate without losing a value or a lookup."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.core import sensitive
from crm_host.core.models import AuditLog, Contact, Customer
from crm_host.domain.customers import dedupe
from crm_host.domain.importing import jobs as import_jobs
from crm_host.runtime.facade import enqueue
from crm_host.security import keys

KEY_A = sensitive.generate_key("a")
KEY_B = sensitive.generate_key("b")


def stored(db, table, column, row_id):
    """The value as the database holds it."""
    return db.execute(
        sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
    ).scalar_one()


@pytest.fixture
def encrypted():
    with sensitive.using(KEY_A) as cipher:
        yield cipher


@pytest.fixture
def manager_and_viewer(make_user, client_for):
    manager = client_for(make_user("mona", departments=["sales"], role="manager"))
    viewer = client_for(make_user("vic", departments=["sales"], role="viewer"))
    return manager, viewer


def test_values_are_encrypted_at_rest_and_found_by_blind_index(db, encrypted, manager_and_viewer):
    manager, viewer = manager_and_viewer
    created = manager.post(
        "/api/v1/customers",
        json={
            "code": "E1",
            "name": "周杰",
            "kind": "person",
            "phone": "+86 138-0013-8000",
            "id_number": "11010519491231002x",
        },
    )
    assert created.status_code == 201, created.json
    customer_id = created.json["id"]
    raw_phone = stored(db, "customers", "phone", customer_id)
    raw_id = stored(db, "customers", "id_number", customer_id)
    assert raw_phone.startswith("enc1:") and "13800138000" not in raw_phone
    assert raw_id.startswith("enc1:") and "11010519491231002" not in raw_id
    # In full for a manager, masked for a viewer.
    assert manager.get(f"/api/v1/customers/{customer_id}").json["phone"] == "+8613800138000"
    shown = viewer.get(f"/api/v1/customers/{customer_id}").json
    assert (shown["phone"], shown["id_number"]) == ("+86*******8000", "110***********002X")
    # Found by the number in any form, local or international, by a user who may
    # reveal it; the viewer's search is no oracle and finds nothing by number.
    for typed in ("13800138000", "+86 138 0013 8000", "0086-13800138000"):
        found = manager.get("/api/v1/customers", query_string={"q": typed}).json["items"]
        assert [c["code"] for c in found] == ["E1"], typed
        assert viewer.get("/api/v1/customers", query_string={"q": typed}).json["items"] == []
    by_id = {"q": "11010519491231002X"}
    assert [
        c["code"] for c in manager.get("/api/v1/customers", query_string=by_id).json["items"]
    ] == ["E1"]
    assert viewer.get("/api/v1/customers", query_string=by_id).json["items"] == []
    # Nothing in clear in the audit log.
    entries = db.scalars(sa.select(AuditLog).where(AuditLog.object_type == "customer"))
    assert all("13800138000" not in str(e.after) for e in entries)


def test_contacts_imports_and_duplicates_work_encrypted(
    db, encrypted, manager_and_viewer, run_jobs, tmp_path
):
    manager, _viewer = manager_and_viewer
    customer_id = manager.post(
        "/api/v1/customers",
        json={"code": "E2", "name": "甲", "kind": "person", "phone": "13900000001"},
    ).json["id"]
    contact = manager.post(
        f"/api/v1/customers/{customer_id}/contacts", json={"name": "乙", "phone": "139 0000 0002"}
    ).json
    assert stored(db, "contacts", "phone", contact["id"]).startswith("enc1:")
    assert db.get(Contact, contact["id"]).phone_blind == sensitive.blind_phone("13900000002")
    source = tmp_path / "people.csv"
    source.write_text("code,name,kind,phone\nE3,丙,person,+8613900000001\n", encoding="utf-8")
    args = import_jobs.job_args(source, fmt=None, batch_size=100, session=db)
    enqueue(db, import_jobs.JOB_NAME, args)
    db.commit()
    run_jobs(names=[import_jobs.JOB_NAME])
    imported = db.scalar(sa.select(Customer).where(Customer.code == "E3"))
    assert stored(db, "customers", "phone", imported.id).startswith("enc1:")
    assert imported.phone == "+8613900000001"
    groups = dedupe.find_duplicates(db, ["phone"])
    codes = dict(db.execute(sa.select(Customer.id, Customer.code)).all())
    assert [sorted(codes[i] for i in g.customer_ids) for g in groups] == [["E2", "E3"]]


def test_rotation_moves_every_value_to_the_new_key(db, app, manager_and_viewer):
    manager, viewer = manager_and_viewer
    with sensitive.using(KEY_A):
        customer_id = manager.post(
            "/api/v1/customers",
            json={"code": "R1", "name": "丁", "kind": "person", "phone": "13700000000"},
        ).json["id"]
        manager.post(f"/api/v1/customers/{customer_id}/addresses", json={"line1": "长安街 1 号"})
    with sensitive.using(f"{KEY_B},{KEY_A}") as both:
        done = keys.rotate(_database(app), both)
    assert done["customers.phone"] >= 1 and done["addresses.line1"] >= 1
    with sensitive.using(KEY_B):  # the old key is gone: everything still reads and is found
        db.expire_all()
        assert db.get(Customer, customer_id).phone == "+8613700000000"  # stored in E.164
        assert db.get(Customer, customer_id).addresses[0].line1 == "长安街 1 号"
        found = manager.get("/api/v1/customers", query_string={"q": "13700000000"}).json["items"]
        assert [c["code"] for c in found] == ["R1"]
    with (
        sensitive.using(KEY_A),
        pytest.raises(sensitive.FieldKeyError, match="not in CRM_FIELD_KEYS"),
    ):
        db.expire_all()
        db.get(Customer, customer_id).phone  # noqa: B018 - reading is the test
    # And back to clear text, for a company that gives encryption up.
    with sensitive.using(KEY_B) as current:
        keys.rotate(_database(app), current, decrypt=True)
    assert stored(db, "customers", "phone", customer_id) == "+8613700000000"


def test_clear_values_get_encrypted_by_rotate(db, app, make_user):
    customer = Customer(code="P1", name="戊", kind="person", phone="13600000000")
    db.add(customer)
    db.commit()
    assert stored(db, "customers", "phone", customer.id) == "13600000000"
    with sensitive.using(KEY_A) as cipher:
        keys.rotate(_database(app), cipher)
        assert stored(db, "customers", "phone", customer.id).startswith("enc1:")
        assert (
            db.scalar(
                sa.select(Customer.code).where(
                    Customer.phone_blind == sensitive.blind_phone("13600000000")
                )
            )
            == "P1"
        )


def test_bad_keys_are_named():
    with pytest.raises(sensitive.FieldKeyError, match="not 32 url-safe base64 bytes"):
        sensitive.parse_keys("k1:short")
    with pytest.raises(sensitive.FieldKeyError, match="appears twice"):
        sensitive.parse_keys(f"{KEY_A},{KEY_A}")
    with pytest.raises(sensitive.FieldKeyError, match="is not id:key"):
        sensitive.parse_keys("nocolon")


def test_masking():
    assert sensitive.mask("13800138000") == "138****8000"
    assert sensitive.mask("1234567") == "1**4567"
    assert sensitive.mask("12345") == "*****"
    assert sensitive.mask(None) is None


def _database(app):
    from crm_host.core.host import get_host

    return get_host(app).db


def test_a_backup_keeps_encrypted_values_encrypted(committed_db, tmp_path):
    import zipfile

    from crm_host.backup import backup

    with sensitive.using(KEY_A):
        with committed_db.session() as session:
            session.add(Customer(code="B1", name="己", kind="person", phone="13500000000"))
            session.commit()
        archive = tmp_path / "crm.zip"
        backup(committed_db, archive)
    with zipfile.ZipFile(archive) as opened:
        customers = opened.read("tables/customers.jsonl").decode("utf-8")
    assert "enc1:" in customers and "13500000000" not in customers


def test_the_console_masks_for_viewers(db, manager_and_viewer):
    manager, viewer = manager_and_viewer
    customer = Customer(code="V1", name="庚", kind="person", phone="13400000000")
    db.add(customer)
    db.commit()
    assert "13400000000" in manager.get(f"/customers/{customer.id}").text
    page = viewer.get(f"/customers/{customer.id}").text
    assert "134****0000" in page and "13400000000" not in page
