"""service: ticket types, SLA policies, tickets, messages, queue cursors

Revision ID: svc0001
Revises:
Create Date: 2026-11-30

The standard ticket types are not inserted here but on first use
(``crm_service.types.ensure_defaults``): ``crm restore`` migrates an empty database
and then loads the backup's rows, which rows seeded by a migration would collide with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "svc0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("service",)
# Only host0001's tables (customers, contacts, departments, users) are referenced, so
# the host branch can go down to there while the service branch stays installed.
depends_on: str | Sequence[str] | None = "host0001"


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "service_ticket_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("label_zh", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_service_ticket_types"),
        sa.UniqueConstraint("code", name="uq_service_ticket_types_code"),
    )
    op.create_table(
        "service_sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("type_id", sa.Integer(), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when(),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["service_ticket_types.id"],
            name="fk_service_sla_policies_type_id_service_ticket_types",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_sla_policies"),
        sa.UniqueConstraint("name", name="uq_service_sla_policies_name"),
    )
    op.create_table(
        "service_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sla_policy_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        _when(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_service_tickets_customer_id_customers",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_service_tickets_contact_id_contacts",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["service_ticket_types.id"],
            name="fk_service_tickets_type_id_service_ticket_types",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_service_tickets_department_id_departments",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name="fk_service_tickets_assignee_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sla_policy_id"],
            ["service_sla_policies.id"],
            name="fk_service_tickets_sla_policy_id_service_sla_policies",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name="fk_service_tickets_created_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_tickets"),
    )
    op.create_index("ix_service_tickets_customer_id", "service_tickets", ["customer_id"])
    op.create_index("ix_service_tickets_assignee_id", "service_tickets", ["assignee_id"])
    op.create_index(
        "ix_service_tickets_queue", "service_tickets", ["department_id", "status", "assignee_id"]
    )
    op.create_table(
        "service_ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        _when(),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_tickets.id"],
            name="fk_service_ticket_messages_ticket_id_service_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_service_ticket_messages_author_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_ticket_messages"),
    )
    op.create_index(
        "ix_service_ticket_messages_ticket_id", "service_ticket_messages", ["ticket_id"]
    )
    op.create_table(
        "service_queue_cursors",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_service_queue_cursors_department_id_departments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", name="pk_service_queue_cursors"),
    )


def downgrade() -> None:
    op.drop_table("service_queue_cursors")
    op.drop_index("ix_service_ticket_messages_ticket_id", table_name="service_ticket_messages")
    op.drop_table("service_ticket_messages")
    op.drop_index("ix_service_tickets_queue", table_name="service_tickets")
    op.drop_index("ix_service_tickets_assignee_id", table_name="service_tickets")
    op.drop_index("ix_service_tickets_customer_id", table_name="service_tickets")
    op.drop_table("service_tickets")
    op.drop_table("service_sla_policies")
    op.drop_table("service_ticket_types")
