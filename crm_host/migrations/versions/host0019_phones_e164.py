"""host: phone numbers in E.164, and their blind indexes by that form

Revision ID: host0019
Revises: host0018
Create Date: 2026-12-07

Customers' numbers were stored as typed minus punctuation, so one number had several
forms (``+8613800138000``, ``13800138000``, ``013800138000``). They are rewritten in
E.164, read in the company's region (``PHONE_REGION``, CN by default); a value that
is no possible number is left as it was. Every customer's and contact's blind index
is recomputed from the E.164 form, which lookups and duplicate checks now compare.

Values may be stored encrypted: they are decrypted and encrypted again through the
host's field keys (``CRM_FIELD_KEYS``), which this process must hold then. Without
keys nothing is encrypted, and values are read and written in clear.
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.core import sensitive
from crm_host.core.phones import PhoneError, to_e164

revision: str = "host0019"
down_revision: str | Sequence[str] | None = "host0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_NOT_DIGIT = re.compile(r"\D+")


def _e164(value: str) -> str:
    try:
        return to_e164(value)
    except PhoneError:
        return value  # no possible number: kept as typed, indexed by its digits


def _old_key(value: str) -> str:
    """The blind index's key before this revision: digits without a +86 / 0086."""
    digits = _NOT_DIGIT.sub("", value)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits


def _rewrite(
    table_name: str, value_of: Callable[[str], str], blind_of: Callable[[str], str | None]
) -> None:
    """Give every phone of ``table_name`` the value ``value_of`` and the blind index
    ``blind_of`` it says, batch by batch in id order, through the host's field keys."""
    table = sa.table(
        table_name,
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("phone_blind", sa.String),
    )
    cipher = sensitive.cipher()
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.phone, table.c.phone_blind)
            .where(table.c.id > last_id, table.c.phone.is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        updates = []
        for row in rows:
            encrypted = row.phone.startswith(sensitive.PREFIX)
            if encrypted and cipher is None:
                raise sensitive.FieldKeyError(
                    f"{table_name}.phone holds encrypted numbers: set CRM_FIELD_KEYS to migrate"
                )
            value = cipher.decrypt(row.phone) if encrypted else row.phone
            new = value_of(value)
            stored = row.phone if new == value else (cipher.encrypt(new) if encrypted else new)
            blind = blind_of(new)
            if (stored, blind) != (row.phone, row.phone_blind):
                updates.append({"row_id": row.id, "stored": stored, "blind": blind})
        if updates:
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(phone=sa.bindparam("stored"), phone_blind=sa.bindparam("blind")),
                updates,
            )


def upgrade() -> None:
    _rewrite("customers", _e164, sensitive.blind_phone)
    # Contacts keep their numbers as typed; their index is by the E.164 form too.
    _rewrite("contacts", lambda value: value, sensitive.blind_phone)


def downgrade() -> None:
    # The numbers stay in E.164 (the older rules take them); the index goes back.
    def old_blind(value: str) -> str | None:
        return sensitive.blind(_old_key(value))

    _rewrite("customers", lambda value: value, old_blind)
    _rewrite("contacts", lambda value: value, old_blind)
