"""The daily jobs: bills for a chosen month, advice for every account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from crm_industry_power.jobs import ADVICE_JOB, BILLS_JOB
from crm_industry_power.models import Advice, Bill

from crm_host.runtime.facade import get_runtime
from crm_host.sdk import enqueue


@pytest.mark.hookspec("crm_register_jobs")
def test_the_jobs_are_scheduled_daily_and_do_their_work(
    app, db, account, import_text, day_csv, hand_made_day, run_jobs
):
    runtime = get_runtime(app)
    assert runtime.jobs.schedules[ADVICE_JOB].every == timedelta(days=1)
    assert runtime.jobs.schedules[BILLS_JOB].every == timedelta(days=1)
    import_text(day_csv("M1", date(2026, 11, 2), hand_made_day))
    enqueue(db, BILLS_JOB, {"month": "2026-11"})
    db.commit()
    assert run_jobs(names=[BILLS_JOB]) == 1
    assert db.scalar(sa.select(Bill.amount)) == 34585
    enqueue(db, ADVICE_JOB, {"last_day": "2026-11-30"})
    db.commit()
    assert run_jobs(names=[ADVICE_JOB]) == 1
    rules = set(db.scalars(sa.select(Advice.rule).where(Advice.account_id == account.id)))
    assert rules == {"shift_to_valley", "low_load_factor"}
