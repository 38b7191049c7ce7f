"""The sales plugin's background jobs, run on the host's queue."""

from __future__ import annotations

from datetime import timedelta

from crm_host.sdk import JobContext, JobRegistry
from crm_sales.activities import send_reminders
from crm_sales.quotes import expire_due

#: Sent quotes past their last valid day become expired by this job.
EXPIRE_QUOTES = "sales.expire_quotes"


def remind(job: JobContext) -> None:
    """Remind owners of activities about to fall due (each once)."""
    send_reminders(job.session)


def expire_quotes(job: JobContext) -> None:
    """Expire sent quotes whose last valid day (in the company's timezone) has passed."""
    expire_due(job.session)


def register(registry: JobRegistry) -> None:
    """Register the jobs and their schedules."""
    registry.job("sales.remind", remind)
    # One run for everyone: reminders go to owners, whatever their department.
    registry.schedule("sales.remind", every=timedelta(minutes=5), per_department=False)
    registry.job(EXPIRE_QUOTES, expire_quotes)
    # Hourly, so a quote expires within the hour after the company's midnight.
    registry.schedule(EXPIRE_QUOTES, every=timedelta(hours=1), per_department=False)
