"""sales: a named CHECK on every status column, the one way the host stores a status

Revision ID: sales0010
Revises: sales0009
Create Date: 2026-12-07

The columns were strings the database let hold any text; the models now say
``status_type`` (a string with a CHECK named ``ck_<table>_<name>``), and this
revision puts those checks on. Adding a value later replaces one check.
"""

from collections.abc import Sequence

from alembic import op

from crm_host.sdk.migrations import replace_status_check

revision: str = "sales0010"
down_revision: str | Sequence[str] | None = "sales0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, the values it may hold); the values as this revision knows them,
#: not imported from the models, so the revision keeps meaning what it meant.
CHECKS = (
    ("sales_leads", "status", ("new", "contacted", "qualified", "converted", "disqualified")),
    ("sales_opportunities", "status", ("open", "won", "lost")),
    ("sales_quotes", "status", ("draft", "sent", "accepted", "rejected", "expired")),
    ("sales_activities", "kind", ("call", "meeting", "task")),
    ("sales_assignment_rules", "method", ("round_robin", "least_loaded")),
)


def upgrade() -> None:
    for table, column, values in CHECKS:
        replace_status_check(table, column, values, name=column)


def downgrade() -> None:
    for table, column, _values in reversed(CHECKS):
        with op.batch_alter_table(table) as batch:
            # op.f: the name is final, not to be passed through the naming convention.
            batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
