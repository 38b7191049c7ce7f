"""Background work of the marketing plugin: the send job of campaigns, the nightly RFM
and lifetime-value refreshes and the journeys' quarter-hourly advance.

The handlers live with their domain (:mod:`crm_marketing.sending`, :mod:`~.rfm`,
:mod:`~.lifetime_value`, :mod:`~.journeys`); this module says how each one runs.
"""

from __future__ import annotations

from datetime import timedelta

from crm_host.sdk import JobRegistry
from crm_marketing import journeys, lifetime_value, rfm, sending
from crm_marketing.campaigns import SEND_JOB


def register(registry: JobRegistry) -> None:
    """Declare the jobs and their schedules (each one for the company)."""
    registry.job(SEND_JOB, sending.send_campaign_job, max_attempts=10)
    registry.job(rfm.JOB, rfm.refresh_job, max_attempts=3)
    registry.schedule(rfm.JOB, every=timedelta(days=1), per_department=False)
    registry.job(lifetime_value.JOB, lifetime_value.refresh_job, max_attempts=3)
    registry.schedule(lifetime_value.JOB, every=timedelta(days=1), per_department=False)
    # Journeys wait in whole days; a quarter of an hour keeps a step's delay small.
    registry.job(journeys.JOB, journeys.advance_job, max_attempts=5)
    registry.schedule(journeys.JOB, every=timedelta(minutes=15), per_department=False)
