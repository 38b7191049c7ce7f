"""service: a named CHECK on the ticket status column

Revision ID: svc0010
Revises: svc0009
Create Date: 2026-12-07

The status is stored the one way the host offers (``crm_host.sdk.status_type``): a
string whose values a CHECK named ``ck_service_tickets_status`` lists, so a status
outside the flow is refused by the database too. The values are written out here,
not read from the models, so the migration keeps meaning what it meant.
"""

from collections.abc import Sequence

from alembic import op

from crm_host.sdk.migrations import replace_status_check

revision: str = "svc0010"
down_revision: str | Sequence[str] | None = "svc0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, values, constraint name suffix) of every status column.
STATUS_COLUMNS = (
    (
        "service_tickets",
        "status",
        ("new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed"),
        "status",
    ),
)


def upgrade() -> None:
    for table, column, values, name in STATUS_COLUMNS:
        replace_status_check(table, column, values, name=name)


def downgrade() -> None:
    for table, _column, _values, name in STATUS_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
