"""Schedules: enqueue each registered schedule's job once per time slot.

Time is cut into slots of the schedule's interval (counted from the Unix epoch, in
UTC). A tick enqueues the job of the current slot with an idempotency key naming the
schedule, the department and the slot, so any number of ticks — two ``crm scheduler``
processes, or the scheduler and a web process's thread — enqueue it once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from crm_host.core.db import utcnow
from crm_host.core.host import get_host
from crm_host.core.models import Department, PluginEnablement
from crm_host.runtime.locks import retry_on_lock
from crm_host.runtime.queue import insert_job
from crm_host.runtime.registry import ScheduleSpec


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the slot of length ``every`` that ``now`` falls in."""
    seconds = int(every.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def departments_for(session: sa.orm.Session, schedule: ScheduleSpec) -> list[int | None]:
    """Where a schedule runs: each department that has its plugin enabled (every
    department for the host's own), or once for all (``None``)."""
    if not schedule.per_department:
        return [None]
    if schedule.plugin is None:
        query = sa.select(Department.id)
    else:
        query = sa.select(PluginEnablement.department_id).where(
            PluginEnablement.plugin_name == schedule.plugin
        )
    return sorted(session.scalars(query))


@retry_on_lock
def tick(app: Flask, now: datetime | None = None) -> list[int]:
    """Enqueue every schedule's job for the current slot; returns the ids of new jobs.

    Tried again from the start when it meets a lock: the slot keys make that safe.
    """
    from crm_host.runtime.current import get_runtime

    runtime = get_runtime(app)
    now = now or utcnow()
    created: list[int] = []
    with get_host(app).db.session() as session:
        for schedule in runtime.jobs.schedules.values():
            slot = slot_start(now, schedule.every)
            spec = runtime.jobs.jobs[schedule.name]
            for department_id in departments_for(session, schedule):
                job_id, new = insert_job(
                    session,
                    name=schedule.name,
                    args={"slot": slot.isoformat()},
                    key=f"schedule:{schedule.name}:{department_id or '-'}:{slot.isoformat()}",
                    plugin=schedule.plugin,
                    department_id=department_id,
                    run_after=now,
                    max_attempts=spec.max_attempts or runtime.settings.jobs_max_attempts,
                )
                if new:
                    created.append(job_id)
    return created
