"""marketing: segments and static lists, RFM scores, campaigns, sends and the SMS outbox

Revision ID: mkt0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.sdk.migrations import UTCDateTime

revision: str = "mkt0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("marketing",)
# Only customers and users are referenced, both there since host0001; depending on
# nothing later lets the host branch move independently of this one.
depends_on: str | Sequence[str] | None = "host0001"


def upgrade() -> None:
    op.create_table(
        "marketing_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rules", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_marketing_segments_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_marketing_segments_name")),
    )
    op.create_table(
        "marketing_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("launched_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms')", name=op.f("ck_marketing_campaigns_channel")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')",
            name=op.f("ck_marketing_campaigns_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_marketing_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segments.id"],
            name=op.f("fk_marketing_campaigns_segment_id_marketing_segments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaigns")),
    )
    op.create_index(
        op.f("ix_marketing_campaigns_segment_id"),
        "marketing_campaigns",
        ["segment_id"],
        unique=False,
    )
    op.create_table(
        "marketing_rfm",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("last_purchase_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("r_score", sa.Integer(), nullable=False),
        sa.Column("f_score", sa.Integer(), nullable=False),
        sa.Column("m_score", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_marketing_rfm_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_marketing_rfm")),
    )
    op.create_table(
        "marketing_segment_members",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_marketing_segment_members_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segments.id"],
            name=op.f("fk_marketing_segment_members_segment_id_marketing_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "segment_id", "customer_id", name=op.f("pk_marketing_segment_members")
        ),
    )
    op.create_index(
        op.f("ix_marketing_segment_members_customer_id"),
        "marketing_segment_members",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "marketing_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("response", sa.String(length=16), nullable=True),
        sa.Column("responded_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_marketing_sends_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_marketing_sends_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_sends")),
        sa.UniqueConstraint(
            "campaign_id", "customer_id", name=op.f("uq_marketing_sends_campaign_id_customer_id")
        ),
    )
    op.create_index(
        op.f("ix_marketing_sends_customer_id"), "marketing_sends", ["customer_id"], unique=False
    )
    op.create_table(
        "marketing_sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["send_id"],
            ["marketing_sends.id"],
            name=op.f("fk_marketing_sms_outbox_send_id_marketing_sends"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_sms_outbox")),
        sa.UniqueConstraint("send_id", name=op.f("uq_marketing_sms_outbox_send_id")),
    )


def downgrade() -> None:
    op.drop_table("marketing_sms_outbox")
    op.drop_index(op.f("ix_marketing_sends_customer_id"), table_name="marketing_sends")
    op.drop_table("marketing_sends")
    op.drop_index(
        op.f("ix_marketing_segment_members_customer_id"), table_name="marketing_segment_members"
    )
    op.drop_table("marketing_segment_members")
    op.drop_table("marketing_rfm")
    op.drop_index(op.f("ix_marketing_campaigns_segment_id"), table_name="marketing_campaigns")
    op.drop_table("marketing_campaigns")
    op.drop_table("marketing_segments")
