"""The runtime's tables: the outbox, the job queue (with batch checkpoints) and webhooks.

* ``outbox_events`` — one row per emitted event, written in the transaction of the
  change that caused it.
* ``jobs`` — the queue. Event deliveries (one per hook implementation and per
  webhook subscription) are jobs too, so claiming, retries, parking and stale-claim
  recovery are one piece of code. A job that works in batches keeps its cursor
  (``checkpoint``) and ``progress_done`` / ``progress_total`` on its row, updated in
  the same transaction as each batch's effects.
* ``webhook_subscriptions`` — where events are POSTed, signed with the secret.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, status_type, utcnow


class JobStatus(enum.StrEnum):
    """Where a job is. ``failed`` is *parked*: it is not retried until someone asks."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: Job states, in their order.
JOB_STATUSES = tuple(status.value for status in JobStatus)


class OutboxEvent(Base):
    """An event written with the change that caused it, delivered after commit."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The hook name: ``crm_customers_created``, ``crm_sales_opportunity_won``…
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The hook's keyword arguments, as JSON data.
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Job(Base):
    """One unit of background work: a registered job, an event delivery or a webhook call."""

    __tablename__ = "jobs"
    __table_args__ = (
        # What the claim query seeks: queued jobs that are due, oldest first.
        sa.Index("ix_jobs_status_run_after", "status", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered job name (``host.event``, ``host.webhook``, ``sales.recalc``…).
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    #: The plugin that owns the job, or whose hook implementation an event delivery calls.
    plugin: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    args: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The CHECK it carries is the one host0004 put on the column (ck_jobs_status).
    status: Mapped[str] = mapped_column(status_type(JobStatus), default=JobStatus.QUEUED)
    #: Enqueueing the same key twice gives one job.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The worker holding the claim (``host:pid:random``) and the claim's own token,
    #: which every write of the job checks: a worker that lost its claim writes nothing.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    claim_token: Mapped[str | None] = mapped_column(sa.String(64))
    heartbeat_at: Mapped[datetime | None]
    #: When the job was last handed to the message broker (Celery backend only); a
    #: queued job not dispatched for a while is handed over again.
    dispatched_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: Where a batch job stands: the cursor after its last committed batch.
    checkpoint: Mapped[Any] = mapped_column(sa.JSON(none_as_null=True), nullable=True)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]

    @property
    def progress(self) -> dict[str, Any]:
        """Done, total (when known) and the percentage."""
        total = self.progress_total
        percent = None
        if total:
            percent = round(100.0 * min(self.progress_done, total) / total, 1)
        elif self.status == "done":
            percent = 100.0
        return {"done": self.progress_done, "total": total, "percent": percent}

    @property
    def cursor(self) -> Any:
        """The cursor after the last committed batch of a batch job."""
        return (self.checkpoint or {}).get("cursor")

    @property
    def error_summary(self) -> str | None:
        """The first line of the last error: the plugin (if any) and the error."""
        return self.last_error.splitlines()[0] if self.last_error else None


class WebhookSubscription(Base):
    """An outside URL that receives events, each POST signed with ``secret`` (HMAC-SHA256)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    #: Hook names of the events sent, or ``["*"]`` for every event.
    events: Mapped[list[str]] = mapped_column(sa.JSON)
    secret: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
