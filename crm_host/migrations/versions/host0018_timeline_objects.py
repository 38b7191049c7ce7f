"""host: timeline entries name the registered object they are about

Revision ID: host0018
Revises: host0017
Create Date: 2026-12-07

Until now an entry carried a ``reference`` string each plugin formatted its own way
(``sales_lead:7``), which only that plugin could read. An entry now names its object
as ``(object_type, object_id)`` from the object registry, so the host can label it,
link it and ask whether the viewer may read it. Each plugin converts its own rows in
its own migration (they depend on this one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0018"
down_revision: str | Sequence[str] | None = "host0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("object_type", sa.String(64), nullable=True))
        batch.add_column(sa.Column("object_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_interactions_object", ["object_type", "object_id"])


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index("ix_interactions_object")
        batch.drop_column("object_id")
        batch.drop_column("object_type")
