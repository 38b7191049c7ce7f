"""The background work's state as Prometheus gauges, read from the database at scrape time.

Queue depth, the oldest due job's wait, stalled and parked jobs, outbox lag and
worker heartbeats live in the database, so one scrape of any web process sees the
same numbers as every other, however many processes and machines there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.models import Job, OutboxEvent
from crm_host.runtime import heartbeats


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


class RuntimeCollector(Collector):
    """Collects the job, outbox and heartbeat gauges with one session, at ``now``."""

    def __init__(self, session: Session, heartbeat_timeout: float, now: datetime | None = None):
        self.session = session
        self.timeout = heartbeat_timeout
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield every gauge (called by the registry on each scrape)."""
        now = self.now or utcnow()
        yield from self._jobs(now)
        yield self._outbox(now)
        yield from self._heartbeats(now)

    def _jobs(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        gauges = {
            "queued": GaugeMetricFamily(
                "crm_jobs_queued", "Jobs waiting in the queue (due or not)", labels=["name"]
            ),
            "running": GaugeMetricFamily(
                "crm_jobs_running", "Jobs held by a worker that beats", labels=["name"]
            ),
            "stalled": GaugeMetricFamily(
                "crm_jobs_stalled", "Running jobs whose worker stopped beating", labels=["name"]
            ),
            "failed": GaugeMetricFamily(
                "crm_jobs_failed", "Jobs parked after their last attempt", labels=["name"]
            ),
        }
        silent_since = now - timedelta(seconds=self.timeout)
        stalled = sa.and_(
            Job.status == "running",
            sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < silent_since),
        )
        shown = sa.case((stalled, "stalled"), else_=Job.status)
        rows = self.session.execute(
            sa.select(Job.name, shown, sa.func.count())
            .where(Job.status.in_(("queued", "running", "failed")))
            .group_by(Job.name, shown)
        ).all()
        for name, status, count in rows:
            gauges[status].add_metric([name], count)
        yield from gauges.values()

        oldest = GaugeMetricFamily(
            "crm_jobs_oldest_due_age_seconds",
            "How long the oldest due queued job has waited since it became due",
            labels=["name"],
        )
        for name, first_due in self.session.execute(
            sa.select(Job.name, sa.func.min(Job.run_after))
            .where(Job.status == "queued", Job.run_after <= now)
            .group_by(Job.name)
        ):
            oldest.add_metric([name], _age(now, first_due))
        yield oldest

    def _outbox(self, now: datetime) -> GaugeMetricFamily:
        first = self.session.scalar(
            sa.select(sa.func.min(OutboxEvent.created_at))
            .join(Job, Job.event_id == OutboxEvent.id)
            .where(Job.status.in_(("queued", "running")))
        )
        gauge = GaugeMetricFamily(
            "crm_outbox_lag_seconds",
            "Age of the oldest event with a delivery still to make (0 when none)",
        )
        gauge.add_metric([], _age(now, first))
        return gauge

    def _heartbeats(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        ages = GaugeMetricFamily(
            "crm_worker_heartbeat_age_seconds",
            "Seconds since each worker or scheduler last beat",
            labels=["worker", "kind"],
        )
        alive = GaugeMetricFamily(
            "crm_workers_alive",
            "Workers and schedulers that beat within the heartbeat timeout",
            labels=["kind"],
        )
        found = heartbeats.beats(self.session, now=now)
        for beat in found:
            ages.add_metric([beat.worker_id, beat.kind], beat.age_seconds)
        for kind in ("worker", "scheduler"):
            count = sum(1 for b in heartbeats.alive(found, self.timeout) if b.kind == kind)
            alive.add_metric([kind], count)
        yield ages
        yield alive
