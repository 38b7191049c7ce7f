"""marketing: a campaign's channel is any a plugin offers, not only email or SMS

Revision ID: mkt0007
Revises: mkt0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0007"
down_revision: str | Sequence[str] | None = "mkt0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_marketing_campaigns_channel"


def upgrade() -> None:
    # The service checks a campaign's channel against the channels installed plugins
    # offer; a fixed list in the database would refuse theirs.
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")


def downgrade() -> None:
    others = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM marketing_campaigns WHERE channel NOT IN ('email', 'sms')")
    )
    if others:
        raise RuntimeError(
            f"{others} campaigns use a channel a plugin offers; the old schema allows only "
            "email and sms: delete or change them before downgrading"
        )
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.create_check_constraint(op.f(CHECK), "channel IN ('email', 'sms')")
