"""outbox, job queue, schedules and batches

Revision ID: host0004
Revises: host0003
Create Date: 2026-11-23

Schedules need no table of their own: a scheduled run is a job whose idempotency
key names the schedule, the department and the time slot. Batch checkpoints and
progress live on the job's row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0004"
down_revision: str | Sequence[str] | None = "host0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_created_at", "outbox_events", ["created_at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claim_token", sa.String(64), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("checkpoint", sa.JSON(), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_jobs_department_id_departments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name="fk_jobs_event_id_outbox_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("idempotency_key", name="uq_jobs_idempotency_key"),
    )
    op.create_index("ix_jobs_name", "jobs", ["name"])
    op.create_index("ix_jobs_plugin", "jobs", ["plugin"])
    op.create_index("ix_jobs_department_id", "jobs", ["department_id"])
    op.create_index("ix_jobs_event_id", "jobs", ["event_id"])
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
    )


def downgrade() -> None:
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_jobs_status_run_after", "jobs")
    op.drop_index("ix_jobs_event_id", "jobs")
    op.drop_index("ix_jobs_department_id", "jobs")
    op.drop_index("ix_jobs_plugin", "jobs")
    op.drop_index("ix_jobs_name", "jobs")
    op.drop_table("jobs")
    op.drop_index("ix_outbox_events_created_at", "outbox_events")
    op.drop_table("outbox_events")
