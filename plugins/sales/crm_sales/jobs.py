"""The sales plugin's background jobs, run on the host's queue."""

from __future__ import annotations

from datetime import timedelta

from crm_host.runtime import JobContext, JobRegistry
from crm_sales.activities import send_reminders


def remind(job: JobContext) -> None:
    """Remind owners of activities about to fall due (each once)."""
    send_reminders(job.session)


def register(registry: JobRegistry) -> None:
    """Register the jobs and their schedules."""
    registry.job("sales.remind", remind)
    # One run for everyone: reminders go to owners, whatever their department.
    registry.schedule("sales.remind", every=timedelta(minutes=5), per_department=False)
