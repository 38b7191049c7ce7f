"""marketing: journeys, each customer's place in them and the steps they have run

Revision ID: mkt0004
Revises: mkt0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_host.sdk.migrations import UTCDateTime

revision: str = "mkt0004"
down_revision: str | Sequence[str] | None = "mkt0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketing_journeys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=100), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "trigger IN ('segment', 'event')", name=op.f("ck_marketing_journeys_trigger")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'paused')", name=op.f("ck_marketing_journeys_status")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segments.id"],
            name=op.f("fk_marketing_journeys_segment_id_marketing_segments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_journeys")),
        sa.UniqueConstraint("name", name=op.f("uq_marketing_journeys_name")),
    )
    op.create_table(
        "marketing_journey_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("entered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'done', 'exited')",
            name=op.f("ck_marketing_journey_entries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_marketing_journey_entries_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["marketing_journeys.id"],
            name=op.f("fk_marketing_journey_entries_journey_id_marketing_journeys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_journey_entries")),
        sa.UniqueConstraint(
            "journey_id",
            "customer_id",
            name=op.f("uq_marketing_journey_entries_journey_id_customer_id"),
        ),
    )
    op.create_index(
        op.f("ix_marketing_journey_entries_customer_id"),
        "marketing_journey_entries",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_marketing_journey_entries_due_at"),
        "marketing_journey_entries",
        ["due_at"],
        unique=False,
    )
    op.create_table(
        "marketing_journey_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["marketing_journey_entries.id"],
            name=op.f("fk_marketing_journey_actions_entry_id_marketing_journey_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_journey_actions")),
        sa.UniqueConstraint(
            "entry_id", "step", name=op.f("uq_marketing_journey_actions_entry_id_step")
        ),
    )


def downgrade() -> None:
    op.drop_table("marketing_journey_actions")
    op.drop_index(
        op.f("ix_marketing_journey_entries_due_at"), table_name="marketing_journey_entries"
    )
    op.drop_index(
        op.f("ix_marketing_journey_entries_customer_id"), table_name="marketing_journey_entries"
    )
    op.drop_table("marketing_journey_entries")
    op.drop_table("marketing_journeys")
