"""service: timeline entries name their tickets as typed references, not strings

Revision ID: svc0009
Revises: svc0008
Create Date: 2026-12-07

The service plugin wrote ``reference`` strings of its own format (``service.ticket:<id>``) on
the customer timeline; only it could read them. The host now keeps the object as
``(object_type, object_id)`` (host0018), so the registry can label and link it for
whoever may read it. This converts the plugin's existing entries and clears the
strings, which were only pointers; the downgrade writes them back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "svc0009"
down_revision: str | Sequence[str] | None = "svc0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

#: (the old reference prefix, the registered object type) of each kind of entry.
FORMATS = (("service.ticket:", "service.ticket"),)
PLUGIN = "service"


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
