"""The domain's own jobs, registered with the runtime by the app.

The runtime runs jobs but sits below the domain, so it cannot name the domain's jobs
itself: :func:`crm_host.app.create_app` hands this registrar to
:func:`crm_host.runtime.service.init_app`.
"""

from __future__ import annotations

from datetime import timedelta

from crm_host.domain.importing import cleanup as import_cleanup
from crm_host.domain.importing import jobs as import_jobs
from crm_host.runtime.registry import JobRegistry


def register_domain_jobs(registry: JobRegistry) -> None:
    """Imports: running an import, and the hourly clean-up of stale uploads."""
    registry.job(import_jobs.JOB_NAME, import_jobs.run_import)
    registry.job(import_cleanup.JOB_NAME, import_cleanup.cleanup)
    registry.schedule(import_cleanup.JOB_NAME, every=timedelta(hours=1), per_department=False)
