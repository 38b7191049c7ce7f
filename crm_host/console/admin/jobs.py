"""Admin pages for background jobs and event deliveries: lists, details, retries."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import attempt, filtered_page, status_code
from crm_host.core.host import get_host
from crm_host.core.models import Job
from crm_host.core.models.runtime import JOB_STATUSES
from crm_host.records import audit
from crm_host.runtime import queue
from crm_host.runtime.api import JobQuery, job_query

#: How job states read in the console.
JOB_STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed (parked)"),
}
JOB_FILTERS = ("status", "name", "plugin")


@bp.route("/jobs")
@page("host.jobs.manage")
def jobs() -> tuple[str, int]:
    """Jobs and event deliveries, newest first; failed ones are parked until retried."""
    filters, result, errors = filtered_page(JOB_FILTERS, JobQuery(), job_query, Job)
    return render_template(
        "crm/admin/jobs.html",
        jobs=result["items"],
        next_cursor=result["next_cursor"],
        counts=queue.counts(get_host().session),
        statuses=JOB_STATUSES,
        status_labels=JOB_STATUS_LABELS,
        filters=filters,
        errors=errors,
    ), status_code(errors)


@bp.route("/jobs/<id:job_id>")
@page("host.jobs.manage")
def job(job_id: int) -> str:
    """One job: state, progress, checkpoint, arguments and the last error with its trace."""
    return render_template(
        "crm/admin/job.html",
        job=queue.get_job(get_host().session, job_id),
        status_labels=JOB_STATUS_LABELS,
    )


@bp.route("/jobs/<id:job_id>/retry", methods=["POST"])
@page("host.jobs.manage")
def retry_job(job_id: int) -> Response:
    """Put a parked (failed) job back in the queue with fresh attempts."""
    session = get_host().session
    queue.get_job(session, job_id)  # an unknown job is the 404 page, not a message

    def retry() -> Job:
        job = queue.retry(session, job_id)
        audit.record(session, "retry", "job", job.id, after={"name": job.name})
        return job

    done, errors = attempt(retry)
    if done is None:
        reason = "; ".join(_(m) for messages in errors.values() for m in messages)
        flash(_("Not retried: %(reason)s", reason=reason), "error")
    else:
        flash(_("Job %(id)s is queued again.", id=job_id), "success")
    return redirect(url_for("admin.job", job_id=job_id))
