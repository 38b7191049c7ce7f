"""service: satisfaction surveys of resolved tickets

Revision ID: svc0003
Revises: svc0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "svc0003"
down_revision: str | Sequence[str] | None = "svc0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_tickets.id"],
            name="fk_service_surveys_ticket_id_service_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_ticket_id"],
            ["service_tickets.id"],
            name="fk_service_surveys_follow_up_ticket_id_service_tickets",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_surveys"),
        sa.UniqueConstraint("ticket_id", name="uq_service_surveys_ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("service_surveys")
