"""service: the escalation chain's steps and the steps applied to tickets

Revision ID: svc0004
Revises: svc0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "svc0004"
down_revision: str | Sequence[str] | None = "svc0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_escalation_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("after_minutes", sa.Integer(), nullable=False),
        sa.Column("raise_priority", sa.Boolean(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_service_escalation_steps_department_id_departments",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name="fk_service_escalation_steps_assignee_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_escalation_steps"),
        sa.UniqueConstraint("name", name="uq_service_escalation_steps_name"),
    )
    op.create_table(
        "service_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_tickets.id"],
            name="fk_service_escalations_ticket_id_service_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["service_escalation_steps.id"],
            name="fk_service_escalations_step_id_service_escalation_steps",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_escalations"),
        sa.UniqueConstraint(
            "ticket_id", "step_id", "round", name="uq_service_escalations_ticket_id_step_id_round"
        ),
    )
    op.create_index("ix_service_escalations_ticket_id", "service_escalations", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_service_escalations_ticket_id", table_name="service_escalations")
    op.drop_table("service_escalations")
    op.drop_table("service_escalation_steps")
