"""marketing: an A/B test sent to a share of the audience first, then the winner to the rest

Revision ID: mkt0008
Revises: mkt0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0008"
down_revision: str | Sequence[str] | None = "mkt0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_marketing_campaigns_status"
OLD = "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')"
NEW = "status IN ('draft', 'scheduled', 'sending', 'tested', 'sent', 'cancelled')"


def upgrade() -> None:
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.add_column(sa.Column("test_share", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("winner", sa.String(length=1), nullable=True))
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), NEW)


def downgrade() -> None:
    # A test waiting for its winner ends there: the old schema has no such state.
    op.execute("UPDATE marketing_campaigns SET status = 'sent' WHERE status = 'tested'")
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), OLD)
        batch.drop_column("winner")
        batch.drop_column("test_share")
