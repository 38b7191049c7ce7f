"""phone and ID numbers encryptable at rest, with blind indexes; address lines too

Encrypted values are longer than the values, and cannot be compared in SQL: the
columns widen, their plain indexes go, and keyed-hash columns take the lookups.
Existing phone numbers get their blind index here; `crm keys rotate` encrypts them
once keys are configured.

Revision ID: host0011
Revises: host0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.core.sensitive import blind_phone

revision: str = "host0011"
down_revision: str | Sequence[str] | None = "host0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fill_phone_blinds(table_name: str) -> None:
    table = sa.table(
        table_name, sa.column("id", sa.Integer), sa.column("phone"), sa.column("phone_blind")
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(table.c.id, table.c.phone).where(table.c.phone.is_not(None))
    )
    updates = [{"row_id": row_id, "blind": blind_phone(phone)} for row_id, phone in rows]
    if updates:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(phone_blind=sa.bindparam("blind")),
            updates,
        )


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_phone")
        batch.alter_column("phone", existing_type=sa.String(32), type_=sa.String(255))
        batch.add_column(sa.Column("phone_blind", sa.String(64), nullable=True))
        batch.add_column(sa.Column("id_number", sa.String(255), nullable=True))
        batch.add_column(sa.Column("id_number_blind", sa.String(64), nullable=True))
        batch.create_index("ix_customers_phone_blind", ["phone_blind"])
        batch.create_index("ix_customers_id_number_blind", ["id_number_blind"])
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_phone")
        batch.alter_column("phone", existing_type=sa.String(32), type_=sa.String(255))
        batch.add_column(sa.Column("phone_blind", sa.String(64), nullable=True))
        batch.create_index("ix_contacts_phone_blind", ["phone_blind"])
    with op.batch_alter_table("addresses") as batch:
        batch.alter_column("line1", existing_type=sa.String(300), type_=sa.String(1000))
        batch.alter_column("line2", existing_type=sa.String(300), type_=sa.String(1000))
    _fill_phone_blinds("customers")
    _fill_phone_blinds("contacts")


def downgrade() -> None:
    # Only values stored in clear fit back: decrypt first (crm keys rotate --decrypt).
    with op.batch_alter_table("addresses") as batch:
        batch.alter_column("line2", existing_type=sa.String(1000), type_=sa.String(300))
        batch.alter_column("line1", existing_type=sa.String(1000), type_=sa.String(300))
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_phone_blind")
        batch.drop_column("phone_blind")
        batch.alter_column("phone", existing_type=sa.String(255), type_=sa.String(32))
        batch.create_index("ix_contacts_phone", ["phone"])
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_id_number_blind")
        batch.drop_index("ix_customers_phone_blind")
        batch.drop_column("id_number_blind")
        batch.drop_column("id_number")
        batch.drop_column("phone_blind")
        batch.alter_column("phone", existing_type=sa.String(255), type_=sa.String(32))
        batch.create_index("ix_customers_phone", ["phone"])
