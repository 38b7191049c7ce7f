"""Fixtures for the runtime on the ``db`` tier: run queued jobs and deliver events on demand.

Events are delivered inline after each commit anyway; these fixtures are for the
rest — a job a test enqueued, or a failed delivery's retry, which only comes due
later: ``run_jobs(later=timedelta(hours=1))`` runs what would be due by then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from flask import Flask

from crm_host.core.db import utcnow
from crm_host.runtime._runner import Runner
from crm_host.runtime.outbox import DELIVERY_JOBS


def run_due_jobs(
    app: Flask, *, later: timedelta | None = None, names: Iterable[str] | None = None
) -> int:
    """Run every job due now (or ``later`` from now) until none is left; returns how many ran."""
    now = utcnow() + later if later is not None else None
    return Runner(app).run_due(names=names, now=now)


@pytest.fixture
def run_jobs(app: Flask) -> Callable[..., int]:
    """Run due jobs of the ``db`` tier: ``run_jobs()``, ``run_jobs(later=timedelta(hours=1))``,
    ``run_jobs(names=["sales.recalculate"])``; returns how many ran."""

    def run(*, later: timedelta | None = None, names: Iterable[str] | None = None) -> int:
        return run_due_jobs(app, later=later, names=names)

    return run


@pytest.fixture
def deliver_outbox(app: Flask) -> Callable[..., int]:
    """Run due event and webhook deliveries: ``deliver_outbox(later=timedelta(minutes=5))``."""

    def deliver(*, later: timedelta | None = None) -> int:
        return run_due_jobs(app, later=later, names=DELIVERY_JOBS)

    return deliver
