"""marketing: a named CHECK on every closed set of codes the models store

Revision ID: mkt0012
Revises: mkt0011
Create Date: 2026-12-07

The models now store each such column with ``crm_host.sdk.status_type``. The campaign,
journey and journey-entry checks already had the names and values it gives them; a
segment's kind, a send's latest response and the kinds of the response funnel had
none, and get theirs here. The values are written out, not read from the models: a
migration says what the database held at this revision.
"""

from collections.abc import Sequence

from alembic import op

from crm_host.sdk.migrations import replace_status_check

revision: str = "mkt0012"
down_revision: str | Sequence[str] | None = "mkt0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESPONSES = ("delivered", "opened", "clicked", "replied", "converted", "unsubscribed")
#: (table, column, constraint name, values): ``ck_<table>_<name>`` once put.
CHECKS = (
    ("marketing_segments", "kind", "kind", ("rules", "static")),
    ("marketing_sends", "response", "response", RESPONSES),
    ("marketing_send_responses", "kind", "kind", RESPONSES),
)


def upgrade() -> None:
    for table, column, name, values in CHECKS:
        replace_status_check(table, column, values, name=name)


def downgrade() -> None:
    for table, _column, name, _values in reversed(CHECKS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
