"""marketing: A/B variants, each send's variant and duplicate mark, response funnel, cost

Revision ID: mkt0005
Revises: mkt0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.sdk.migrations import UTCDateTime

revision: str = "mkt0005"
down_revision: str | Sequence[str] | None = "mkt0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "marketing_campaign_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=1), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "weight BETWEEN 1 AND 99", name=op.f("ck_marketing_campaign_variants_weight")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_marketing_campaign_variants_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaign_variants")),
        sa.UniqueConstraint(
            "campaign_id", "name", name=op.f("uq_marketing_campaign_variants_campaign_id_name")
        ),
    )
    op.create_index(
        op.f("ix_marketing_campaign_variants_campaign_id"),
        "marketing_campaign_variants",
        ["campaign_id"],
        unique=False,
    )
    op.create_table(
        "marketing_send_responses",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["send_id"],
            ["marketing_sends.id"],
            name=op.f("fk_marketing_send_responses_send_id_marketing_sends"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("send_id", "kind", name=op.f("pk_marketing_send_responses")),
    )
    # The responses recorded so far: each send kept its latest one.
    op.execute(
        "INSERT INTO marketing_send_responses (send_id, kind, occurred_at) "
        "SELECT id, response, responded_at FROM marketing_sends "
        "WHERE response IS NOT NULL AND responded_at IS NOT NULL"
    )
    with op.batch_alter_table("marketing_sends") as batch:
        batch.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("duplicate", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index(batch.f("ix_marketing_sends_variant_id"), ["variant_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_marketing_sends_variant_id_marketing_campaign_variants"),
            "marketing_campaign_variants",
            ["variant_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.add_column(sa.Column("cost", MONEY, nullable=True))
        batch.add_column(sa.Column("cost_currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.drop_column("cost_currency")
        batch.drop_column("cost")
    with op.batch_alter_table("marketing_sends") as batch:
        batch.drop_constraint(
            batch.f("fk_marketing_sends_variant_id_marketing_campaign_variants"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_marketing_sends_variant_id"))
        batch.drop_column("duplicate")
        batch.drop_column("variant_id")
    op.drop_table("marketing_send_responses")
    op.drop_index(
        op.f("ix_marketing_campaign_variants_campaign_id"),
        table_name="marketing_campaign_variants",
    )
    op.drop_table("marketing_campaign_variants")
