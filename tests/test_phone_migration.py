"""host0019 rewrites stored phone numbers in E.164 and re-indexes them, keys or none."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from crm_host.core import migrate, sensitive
from crm_host.core.db import Database
from crm_host.core.models import Contact, Customer

#: (code, phone as stored before host0019); the first three are one number.
OLD = [
    ("P1", "+8613800138000"),
    ("P2", "13800138000"),
    ("P3", "013800138000"),
    ("P4", "call me"),  # no possible number: kept, indexed by its digits (none)
]


def old_blind(digits: str) -> str:
    """The unkeyed blind index of before: SHA-256 of the digits without +86."""
    return hashlib.sha256(b"crm-host unkeyed:" + digits.encode()).hexdigest()


def seed_old_rows(database: Database, encrypt) -> None:
    with database.session() as session:
        for code, _phone in OLD:
            customer = Customer(code=code, name=code, kind="person")
            customer.contacts.append(Contact(name=f"contact {code}"))
            session.add(customer)
    with database.session() as session:
        for code, phone in OLD:
            # As host0018 and earlier stored them: as typed, minus punctuation.
            session.execute(
                sa.text("UPDATE customers SET phone = :p, phone_blind = :b WHERE code = :c"),
                {"p": encrypt(phone), "b": "old", "c": code},
            )
        session.execute(
            sa.text("UPDATE contacts SET phone = :p, phone_blind = :b"),
            {"p": encrypt("0086 138-0013-8000"), "b": old_blind("13800138000")},
        )


def stored(database: Database) -> dict[str, tuple[str, str | None]]:
    with database.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT code, phone, phone_blind FROM customers"))
        return {code: (phone, blind) for code, phone, blind in rows}


@pytest.mark.parametrize("keyed", [False, True], ids=["in-clear", "encrypted"])
def test_old_phones_become_one_e164_value(crm_databases, keyed):
    database = Database(crm_databases.create(f"phones{int(keyed)}"))
    key = sensitive.generate_key("k1") if keyed else None
    with sensitive.using(key) as cipher:
        encrypt = cipher.encrypt if cipher else (lambda value: value)
        migrate.upgrade(database, [], "host0018")
        seed_old_rows(database, encrypt)
        migrate.upgrade(database, [], "host@head")
        rows = stored(database)
        clear = {code: (cipher.decrypt(p) if cipher else p) for code, (p, _b) in rows.items()}
        assert clear == {
            "P1": "+8613800138000",
            "P2": "+8613800138000",
            "P3": "+8613800138000",
            "P4": "call me",
        }
        if cipher:
            assert all(p.startswith(sensitive.PREFIX) for p, _b in rows.values())
        one = sensitive.blind("+8613800138000")
        assert [rows[c][1] for c in ("P1", "P2", "P3", "P4")] == [one, one, one, None]
        with database.session() as session:
            # Found by each form, through the index of the E.164 form.
            for typed in ("+86 138 0013 8000", "13800138000", "013800138000"):
                found = session.scalars(
                    sa.select(Customer.code)
                    .where(Customer.phone_blind.in_(sensitive.blind_phones(typed)))
                    .order_by(Customer.code)
                ).all()
                assert found == ["P1", "P2", "P3"], typed
            contact = session.scalar(sa.select(Contact).where(Contact.phone.is_not(None)))
            assert contact.phone == "0086 138-0013-8000"  # contacts keep what was typed
            assert contact.phone_blind == one
    database.engine.dispose()
