"""``/api/v1/jobs`` (list, show with progress, retry) and ``/api/v1/webhooks``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from crm_host.core.fields import Id
from crm_host.core.host import get_host
from crm_host.core.models import Job, WebhookSubscription
from crm_host.core.models.runtime import JOB_STATUSES
from crm_host.core.pagination import PageArgs, newest_first, where_equal
from crm_host.records import audit
from crm_host.runtime import heartbeats, queue, webhooks
from crm_host.security.permissions import require

PREFIX = "/api/v1"
jobs_blp = Blueprint("jobs", __name__, description="Background jobs, event deliveries, progress")
webhooks_blp = Blueprint("webhooks", __name__, description="Outgoing webhooks")


class JobQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(JOB_STATUSES))
    name = ma.fields.String(validate=ma.validate.Length(max=200))
    plugin = ma.fields.String(validate=ma.validate.Length(max=64))
    event_id = Id()


class ProgressOut(ma.Schema):
    done = ma.fields.Integer()
    total = ma.fields.Integer(allow_none=True)
    percent = ma.fields.Float(allow_none=True)


def shown_status(job: Job) -> str:
    """``running`` only while the job's worker beats; ``stalled`` once it went silent."""
    from crm_host.runtime.current import get_runtime

    timeout = get_runtime(current_app).settings.jobs_heartbeat_timeout
    return heartbeats.shown_status(job.status, job.heartbeat_at, timeout)


class JobOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    plugin = ma.fields.String(allow_none=True)
    department_id = ma.fields.Integer(allow_none=True)
    event_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.Function(
        shown_status,
        metadata={
            "type": "string",
            "enum": [*JOB_STATUSES, "stalled"],
            "description": "stalled: running, but its worker stopped beating",
        },
    )
    attempts = ma.fields.Integer()
    max_attempts = ma.fields.Integer()
    idempotency_key = ma.fields.String(allow_none=True)
    run_after = ma.fields.DateTime()
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    claimed_by = ma.fields.String(allow_none=True)
    heartbeat_at = ma.fields.DateTime(allow_none=True)
    error = ma.fields.String(attribute="error_summary", allow_none=True)
    progress = ma.fields.Nested(ProgressOut)


class JobDetail(JobOut):
    args = ma.fields.Dict()
    checkpoint = ma.fields.Raw(
        attribute="cursor", allow_none=True, metadata={"description": "Where a batch job stands"}
    )
    last_error = ma.fields.String(allow_none=True, metadata={"description": "With the trace"})


class JobPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JobOut))
    next_cursor = ma.fields.String(allow_none=True)


def job_query(args: dict[str, Any]) -> sa.Select[Any]:
    """The jobs matching the list filters (shared by the API and ``crm jobs list``)."""
    return where_equal(sa.select(Job), Job, args, ("status", "name", "plugin", "event_id"))


@jobs_blp.route("")
class Jobs(MethodView):
    @require("host.jobs.manage")
    @jobs_blp.arguments(JobQuery, location="query")
    @jobs_blp.response(200, JobPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Jobs and event deliveries, newest first."""
        return newest_first(get_host().session, job_query(args), Job, args)


@jobs_blp.route("/<id:job_id>")
class JobResource(MethodView):
    @require("host.jobs.manage")
    @jobs_blp.response(200, JobDetail)
    def get(self, job_id: int) -> Job:
        """One job: its state, progress, checkpoint and last error."""
        return queue.get_job(get_host().session, job_id)


@jobs_blp.route("/<id:job_id>/retry")
class JobRetry(MethodView):
    @require("host.jobs.manage")
    @jobs_blp.response(200, JobDetail)
    def post(self, job_id: int) -> Job:
        """Put a parked (failed) job back in the queue with fresh attempts; 409 otherwise."""
        session = get_host().session
        job = queue.retry(session, job_id)
        audit.record(session, "retry", "job", job.id, after={"name": job.name})
        session.commit()
        return job


class WebhookIn(ma.Schema):
    url = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=2000),
        metadata={"example": "https://example.com/crm-events"},
    )
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        required=True,
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "Event (hook) names, or * for all", "example": ["*"]},
    )
    secret = ma.fields.String(
        validate=ma.validate.Length(min=16, max=200),
        metadata={"description": "Made for you when left out"},
    )
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    active = ma.fields.Boolean(load_default=True)


class WebhookPatch(ma.Schema):
    url = ma.fields.String(validate=ma.validate.Length(min=1, max=2000))
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        validate=ma.validate.Length(min=1, max=100),
    )
    secret = ma.fields.String(validate=ma.validate.Length(min=16, max=200))
    description = ma.fields.String(validate=ma.validate.Length(max=200))
    active = ma.fields.Boolean()


class WebhookOut(ma.Schema):
    id = ma.fields.Integer()
    url = ma.fields.String()
    events = ma.fields.List(ma.fields.String())
    description = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class NewWebhookOut(WebhookOut):
    secret = ma.fields.String(metadata={"description": "The signing secret, shown only here"})


def _audited(subscription: WebhookSubscription) -> dict[str, Any]:
    return {"url": subscription.url, "events": subscription.events, "active": subscription.active}


@webhooks_blp.route("")
class Webhooks(MethodView):
    @require("host.webhooks.manage")
    @webhooks_blp.response(200, WebhookOut(many=True))
    def get(self) -> list[WebhookSubscription]:
        """Every webhook subscription."""
        return webhooks.list_subscriptions(get_host().session)

    @require("host.webhooks.manage")
    @webhooks_blp.arguments(WebhookIn)
    @webhooks_blp.response(201, NewWebhookOut)
    def post(self, data: dict[str, Any]) -> WebhookSubscription:
        """Subscribe a URL to events; the answer holds the signing secret, once."""
        session = get_host().session
        subscription = webhooks.add_subscription(session, **data)
        audit.record(session, "create", "webhook", subscription.id, after=_audited(subscription))
        session.commit()
        return subscription


@webhooks_blp.route("/<id:webhook_id>")
class WebhookResource(MethodView):
    @require("host.webhooks.manage")
    @webhooks_blp.response(200, WebhookOut)
    def get(self, webhook_id: int) -> WebhookSubscription:
        """One webhook subscription (without its secret)."""
        return webhooks.get_subscription(get_host().session, webhook_id)

    @require("host.webhooks.manage")
    @webhooks_blp.arguments(WebhookPatch)
    @webhooks_blp.response(200, WebhookOut)
    def patch(self, data: dict[str, Any], webhook_id: int) -> WebhookSubscription:
        """Change a subscription's URL, events, secret, description or whether it is active."""
        session = get_host().session
        before = _audited(webhooks.get_subscription(session, webhook_id))
        subscription = webhooks.update_subscription(session, webhook_id, **data)
        audit.record(
            session, "update", "webhook", webhook_id, before=before, after=_audited(subscription)
        )
        session.commit()
        return subscription

    @require("host.webhooks.manage")
    @webhooks_blp.response(204)
    def delete(self, webhook_id: int) -> None:
        """Remove a subscription; deliveries still queued for it are dropped."""
        session = get_host().session
        before = _audited(webhooks.get_subscription(session, webhook_id))
        webhooks.remove_subscription(session, webhook_id)
        audit.record(session, "delete", "webhook", webhook_id, before=before)
        session.commit()


def register(api: Api) -> None:
    """Mount the runtime's API blueprints."""
    api.register_blueprint(jobs_blp, url_prefix=f"{PREFIX}/jobs")
    api.register_blueprint(webhooks_blp, url_prefix=f"{PREFIX}/webhooks")
