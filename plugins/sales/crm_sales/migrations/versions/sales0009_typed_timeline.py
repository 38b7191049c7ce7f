"""sales: timeline entries name their leads, quotes, orders and activities as typed references, not strings

Revision ID: sales0009
Revises: sales0008
Create Date: 2026-12-07

The sales plugin wrote ``reference`` strings of its own format (``sales_lead:<id>``, ``sales_quote:<id>``, ``sales_order:<id>``, ``sales_activity:<id>``) on
the customer timeline; only it could read them. The host now keeps the object as
``(object_type, object_id)`` (host0018), so the registry can label and link it for
whoever may read it. This converts the plugin's existing entries and clears the
strings, which were only pointers; the downgrade writes them back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sales0009"
down_revision: str | Sequence[str] | None = "sales0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

#: (the old reference prefix, the registered object type) of each kind of entry.
FORMATS = (
    ("sales_lead:", "sales.lead"),
    ("sales_quote:", "sales.quote"),
    ("sales_order:", "sales.order"),
    ("sales_activity:", "sales.activity"),
)
PLUGIN = "sales"


def upgrade() -> None:
    for prefix, object_type in FORMATS:
        # substr/CAST/|| mean the same on SQLite and PostgreSQL.
        op.execute(
            sa.text(
                "UPDATE interactions SET object_type = :type, "
                "object_id = CAST(substr(reference, :start) AS BIGINT), reference = NULL "
                "WHERE source_plugin = :plugin AND substr(reference, 1, :length) = :prefix"
            ).bindparams(
                type=object_type,
                start=len(prefix) + 1,
                plugin=PLUGIN,
                length=len(prefix),
                prefix=prefix,
            )
        )


def downgrade() -> None:
    for prefix, object_type in FORMATS:
        op.execute(
            sa.text(
                "UPDATE interactions SET reference = :prefix || CAST(object_id AS VARCHAR(20)), "
                "object_type = NULL, object_id = NULL "
                "WHERE source_plugin = :plugin AND object_type = :type"
            ).bindparams(prefix=prefix, plugin=PLUGIN, type=object_type)
        )
