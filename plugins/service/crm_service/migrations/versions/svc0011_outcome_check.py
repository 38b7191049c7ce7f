"""service: a named CHECK on the return visit outcome column

Revision ID: svc0011
Revises: svc0010
Create Date: 2026-12-07

A return visit's outcome is a closed set of codes, stored the one way the host offers
(``crm_host.sdk.status_type``): a string whose values a CHECK named
``ck_service_return_visits_outcome`` lists, so the database refuses any other code.
The values are written out here, not read from the models, so the migration keeps
meaning what it meant.
"""

from collections.abc import Sequence

from alembic import op

from crm_host.sdk.migrations import replace_status_check

revision: str = "svc0011"
down_revision: str | Sequence[str] | None = "svc0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "service_return_visits"
OUTCOMES = ("reached", "not_reached", "satisfied", "not_satisfied")


def upgrade() -> None:
    replace_status_check(TABLE, "outcome", OUTCOMES, name="outcome")


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(op.f(f"ck_{TABLE}_outcome"), type_="check")
