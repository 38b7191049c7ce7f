"""Rotating field keys: lookups work half-way, a second rotation rewrites nothing, and
a backup names the keys it needs and is refused up front without them."""

from __future__ import annotations

import json
import zipfile

import pytest
import sqlalchemy as sa

from crm_host.backup import BackupError, backup, restore
from crm_host.core import sensitive
from crm_host.core.db import Database
from crm_host.core.host import get_host
from crm_host.core.models import Contact, Customer
from crm_host.plugins.facade import discover
from crm_host.security import keys

KEY_OLD = sensitive.generate_key("old")
KEY_NEW = sensitive.generate_key("new")
KEY_OTHER = sensitive.generate_key("other")


def stored(db, table, column, row_id):
    return db.execute(
        sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
    ).scalar_one()


def test_phone_search_finds_old_rows_between_restart_and_rotate(db, app, make_user, client_for):
    # A manager may reveal, so a whole number is a search term for them.
    viewer = client_for(make_user("kv", departments=["sales"], role="manager"))
    with sensitive.using(KEY_OLD):
        old = Customer(code="K1", name="旧", kind="person", phone="13911112222")
        db.add(old)
        db.commit()
    # Restarted with the new key first: nothing has been rotated yet.
    with sensitive.using(f"{KEY_NEW},{KEY_OLD}") as both:
        new = Customer(code="K2", name="新", kind="person", phone="13933334444")
        db.add(new)
        db.commit()
        for phone, code in (("139 1111 2222", "K1"), ("+86 13933334444", "K2")):
            found = viewer.get("/api/v1/customers", query_string={"q": phone}).json["items"]
            assert [c["code"] for c in found] == [code]
        assert stored(db, "customers", "phone_blind", old.id) != sensitive.blind_phone(
            "13911112222"
        )
        assert both.key_id_of(stored(db, "customers", "phone", old.id)) == "old"
        assert both.key_id_of(stored(db, "customers", "phone", new.id)) == "new"


def test_a_second_rotation_rewrites_nothing(db, app):
    database = get_host(app).db
    with sensitive.using(KEY_OLD):
        customer = Customer(code="K3", name="甲", kind="person", phone="13755556666")
        customer.id_number = "110105194912310021"
        db.add(customer)
        db.flush()
        db.add(Contact(customer_id=customer.id, name="乙", phone="13755557777"))
        db.commit()
    clear = Customer(code="K4", name="丙", kind="person", phone="13755558888")
    db.add(clear)
    db.commit()
    with sensitive.using(f"{KEY_NEW},{KEY_OLD}") as both:
        first = keys.rotate(database, both)
        after_first = stored(db, "customers", "phone", customer.id)
        second = keys.rotate(database, both)
        assert stored(db, "customers", "phone", customer.id) == after_first
    # Two customer phones (one under the old key, one in clear), one ID number, one contact.
    assert (first["customers.phone"], first["customers.id_number"]) == (2, 1)
    assert first["contacts.phone"] == 1
    assert second == dict.fromkeys(first, 0)
    with sensitive.using(KEY_NEW) as new:  # the old key can go now
        assert new.key_id_of(after_first) == "new"
        db.expire_all()
        assert db.get(Customer, clear.id).phone == "13755558888"
        assert db.scalar(
            sa.select(Customer.code).where(
                Customer.phone_blind == sensitive.blind_phone("13755556666")
            )
        ) == ("K3")


def _customer(database, code, phone):
    with database.session() as session:
        session.add(Customer(code=code, name="备份", kind="person", phone=phone))


def test_a_backup_names_its_keys_and_a_restore_without_them_is_refused(
    committed_db, crm_databases, tmp_path
):
    with sensitive.using(KEY_OLD):
        _customer(committed_db, "KB1", "13800001111")
    file = tmp_path / "keys.zip"
    with sensitive.using(f"{KEY_NEW},{KEY_OLD}"):
        _customer(committed_db, "KB2", "13800002222")
        backup(committed_db, file)
    with zipfile.ZipFile(file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["field_keys"] == {"key_ids": ["new", "old"], "values": {"new": 1, "old": 1}}

    target_url = crm_databases.create("keys_target")
    target = Database(target_url)
    for configured, message in (
        (
            KEY_NEW,
            r"1 encrypted value\(s\) of the backup need key id\(s\) old; CRM_FIELD_KEYS has new",
        ),
        (
            KEY_OTHER,
            r"2 encrypted value\(s\) .* need key id\(s\) new, old; CRM_FIELD_KEYS has other",
        ),
        (None, r"need key id\(s\) new, old; CRM_FIELD_KEYS is not set"),
        # The same ids with other keys: named, not mistaken for the right ones.
        (
            sensitive.generate_key("new") + "," + sensitive.generate_key("old"),
            "not with the same keys",
        ),
    ):
        with sensitive.using(configured), pytest.raises(BackupError, match=message):
            restore(target, file, discover())
        # Refused before anything was written: the database is still empty.
        with target.engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
    with sensitive.using(f"{KEY_OTHER},{KEY_NEW},{KEY_OLD}"):
        restore(target, file, discover())
        with target.session() as session:
            phones = dict(session.execute(sa.select(Customer.code, Customer.phone)).all())
    assert phones == {"KB1": "13800001111", "KB2": "13800002222"}
    target.dispose()
