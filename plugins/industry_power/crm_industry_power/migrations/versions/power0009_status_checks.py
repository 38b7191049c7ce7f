"""industry_power: a named CHECK on every status column

Revision ID: power0009
Revises: power0008
Create Date: 2026-12-07

A status is stored one way in crm-host: a string column with a CHECK named
``ck_<table>_status`` listing its values (``crm_host.sdk.status_type``). The faults'
status was a bare string; this puts its CHECK on. The values are written out here,
not read from the model, so the migration keeps meaning what it meant.
"""

from collections.abc import Sequence

from alembic import op

from crm_host.sdk.migrations import replace_status_check

revision: str = "power0009"
down_revision: str | Sequence[str] | None = "power0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, values) of each status column.
STATUS_COLUMNS = (("power_faults", "status", ("recorded", "ticketed", "resolved")),)


def upgrade() -> None:
    for table, column, values in STATUS_COLUMNS:
        replace_status_check(table, column, values)


def downgrade() -> None:
    for table, column, _values in STATUS_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
