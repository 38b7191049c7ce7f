"""service: emails turned into tickets, by Message-ID

Revision ID: svc0002
Revises: svc0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "svc0002"
down_revision: str | Sequence[str] | None = "svc0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_tickets.id"],
            name="fk_service_mail_messages_ticket_id_service_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_mail_messages"),
        sa.UniqueConstraint("message_id", name="uq_service_mail_messages_message_id"),
    )
    op.create_index("ix_service_mail_messages_ticket_id", "service_mail_messages", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_service_mail_messages_ticket_id", table_name="service_mail_messages")
    op.drop_table("service_mail_messages")
