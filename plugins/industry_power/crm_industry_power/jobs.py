"""Background work of the power pack: advice and service levels refreshed daily, bills
after a month ends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from crm_host.sdk import utcnow
from crm_industry_power import advice, bills, classify, faults, guarantees, inspections
from crm_industry_power.models import Account

ADVICE_JOB = "power.refresh_advice"
BILLS_JOB = "power.compute_bills"
CLASSIFY_JOB = "power.classify"
ARRIVALS_JOB = "power.check_arrivals"
INSPECTIONS_JOB = "power.check_inspections"
GUARANTEES_JOB = "power.check_guarantees"


def _zone(job: Any) -> ZoneInfo:
    return ZoneInfo(job.app.config.get("TIMEZONE", "Asia/Shanghai"))


def refresh_advice_job(job: Any) -> None:
    """Recompute every account's advice over the 30 days up to yesterday (``args.last_day``
    = ``YYYY-MM-DD`` to choose); idempotent."""
    tz = _zone(job)
    if job.args.get("last_day"):
        last = date.fromisoformat(job.args["last_day"])
    else:
        last = utcnow().astimezone(tz).date() - timedelta(days=1)
    for account in job.session.scalars(sa.select(Account).order_by(Account.id)):
        advice.refresh(job.session, account, last, tz)


def compute_bills_job(job: Any) -> None:
    """Bill last month (``args.month`` = ``YYYY-MM`` to choose); recomputing is harmless."""
    tz = _zone(job)
    if job.args.get("month"):
        month = bills.parse_month(job.args["month"])
    else:
        month = (utcnow().astimezone(tz).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    bills.compute_all(job.session, month, tz)


def classify_job(job: Any) -> None:
    """Every account's service level from its last 365 days; idempotent."""
    tz = _zone(job)
    classify.classify_all(job.session, utcnow().astimezone(tz).date(), tz)


def check_arrivals_job(job: Any) -> None:
    """Mark arrival clocks that ran out; each breach is marked (and audited) once."""
    from crm_host.sdk import audit

    for fault_id in faults.check_arrivals(job.session):
        audit.record(
            job.session, "arrival_breached", "power_faults", fault_id, plugin=faults.PLUGIN
        )


def check_inspections_job(job: Any) -> None:
    """Flag plans whose due date passed (``args.today`` = ``YYYY-MM-DD`` to choose);
    each plan is flagged once per due date, so a re-run changes nothing."""
    if job.args.get("today"):
        today = date.fromisoformat(job.args["today"])
    else:
        today = utcnow().astimezone(_zone(job)).date()
    inspections.flag_overdue(job.session, today)


def check_guarantees_job(job: Any) -> None:
    """Mark guarantees whose clock ran out, with the credit owed; each once."""
    guarantees.check_breaches(job.session)


def register(registry: Any) -> None:
    """The jobs and their daily schedules (not per department: accounts are company-wide)."""
    registry.job(ADVICE_JOB, refresh_advice_job, max_attempts=3)
    registry.schedule(ADVICE_JOB, every=timedelta(days=1), per_department=False)
    registry.job(BILLS_JOB, compute_bills_job, max_attempts=3)
    registry.schedule(BILLS_JOB, every=timedelta(days=1), per_department=False)
    registry.job(CLASSIFY_JOB, classify_job, max_attempts=3)
    registry.schedule(CLASSIFY_JOB, every=timedelta(days=1), per_department=False)
    registry.job(ARRIVALS_JOB, check_arrivals_job, max_attempts=3)
    registry.schedule(ARRIVALS_JOB, every=timedelta(minutes=1), per_department=False)
    registry.job(INSPECTIONS_JOB, check_inspections_job, max_attempts=3)
    # Hourly, so a plan due yesterday is flagged soon after midnight in the company zone.
    registry.schedule(INSPECTIONS_JOB, every=timedelta(hours=1), per_department=False)
    registry.job(GUARANTEES_JOB, check_guarantees_job, max_attempts=3)
    registry.schedule(GUARANTEES_JOB, every=timedelta(minutes=1), per_department=False)
