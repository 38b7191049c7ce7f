"""Factories and payloads of the runtime's API routes (jobs, webhooks) for the permission matrix."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.models import Job, User
from crm_host.runtime.facade import enqueue
from crm_host.runtime.webhooks import add_subscription
from crm_host.testing.matrix import ObjectRef


def make_parked_job(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A parked (failed) job, so that retrying it can succeed."""
    job = session.get(Job, enqueue(session, "host.prune"))
    job.status, job.attempts, job.finished_at = "failed", job.max_attempts, utcnow()
    job.last_error = "matrix: failed on purpose"
    session.flush()
    return ObjectRef(job.id)


def make_webhook(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A paused webhook subscription (paused: nothing is sent during the matrix run)."""
    subscription = add_subscription(
        session, url="https://matrix.example.com/hook", events=["*"], active=False
    )
    return ObjectRef(subscription.id)


RUNTIME_FACTORIES = {"job_id": make_parked_job, "webhook_id": make_webhook}


def _webhook(session: Session, objects: dict[str, ObjectRef], n: int) -> dict[str, Any]:
    return {"url": f"https://matrix.example.com/{n}", "events": ["*"], "active": False}


RUNTIME_PAYLOADS = {
    ("webhooks.Webhooks", "POST"): _webhook,
    ("webhooks.WebhookResource", "PATCH"): lambda s, o, n: {"description": f"matrix {n}"},
}
