"""What the service API reads and answers, as marshmallow schemas.

Lengths and ranges match the columns, so odd input is refused with a 422 before it
reaches the database.
"""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk.web import Masked, PageArgs
from crm_service.models import CHANNELS, MESSAGE_KINDS, PRIORITIES, VISIT_OUTCOMES
from crm_service.sla import MAX_MINUTES
from crm_service.workflow import STATUSES

V = ma.validate
#: The largest value an INTEGER column holds on PostgreSQL (ids written into rows).
MAX_INT = 2**31 - 1


def _ref(*, strict: bool = True, **kwargs):
    """A reference to a row: a positive INTEGER (query strings are text, so not strict)."""
    return ma.fields.Integer(strict=strict, validate=V.Range(min=1, max=MAX_INT), **kwargs)


class TicketIn(ma.Schema):
    customer_id = _ref(required=True)
    ticket_type = ma.fields.String(required=True, validate=V.Length(min=1, max=64))
    subject = ma.fields.String(required=True, validate=V.Length(min=1, max=300))
    description = ma.fields.String(load_default="", validate=V.Length(max=100_000))
    priority = ma.fields.String(load_default="normal", validate=V.OneOf(PRIORITIES))
    channel = ma.fields.String(load_default="phone", validate=V.OneOf(CHANNELS))
    category = ma.fields.String(allow_none=True, validate=V.Length(max=100))
    contact_id = _ref(allow_none=True)
    department = ma.fields.String(
        allow_none=True,
        validate=V.Length(min=1, max=64),
        metadata={"description": "Code of the department whose queue takes the ticket"},
    )
    sla_policy = ma.fields.String(allow_none=True, validate=V.Length(min=1, max=100))
    auto_assign = ma.fields.Boolean(load_default=False)


class TicketPatch(ma.Schema):
    subject = ma.fields.String(validate=V.Length(min=1, max=300))
    description = ma.fields.String(validate=V.Length(max=100_000))
    priority = ma.fields.String(validate=V.OneOf(PRIORITIES))
    channel = ma.fields.String(validate=V.OneOf(CHANNELS))
    category = ma.fields.String(allow_none=True, validate=V.Length(max=100))
    contact_id = _ref(allow_none=True)
    type_id = _ref()


class ClockOut(ma.Schema):
    name = ma.fields.String()
    target_seconds = ma.fields.Integer()
    started_at = ma.fields.DateTime()
    paused_at = ma.fields.DateTime(allow_none=True)
    stopped_at = ma.fields.DateTime(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True)
    breached_at = ma.fields.DateTime(allow_none=True)


class TicketOut(ma.Schema):
    id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    contact_id = ma.fields.Integer(allow_none=True)
    type_id = ma.fields.Integer()
    ticket_type = ma.fields.String()
    channel = ma.fields.String()
    priority = ma.fields.String()
    category = ma.fields.String(allow_none=True)
    department_id = ma.fields.Integer(allow_none=True)
    assignee_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    subject = ma.fields.String()
    description = ma.fields.String()
    sla_policy_id = ma.fields.Integer(allow_none=True)
    source = ma.fields.String()
    reopen_count = ma.fields.Integer()
    escalation_level = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    first_responded_at = ma.fields.DateTime(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    clocks = ma.fields.List(ma.fields.Nested(ClockOut))


class TicketPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TicketOut))
    next_cursor = ma.fields.String(allow_none=True)


class TicketQuery(PageArgs):
    status = ma.fields.String(validate=V.OneOf(STATUSES))
    open = ma.fields.Boolean(metadata={"description": "Only tickets still needing work"})
    customer_id = _ref(strict=False)
    assignee_id = _ref(strict=False)
    unassigned = ma.fields.Boolean()
    department = ma.fields.String(validate=V.Length(min=1, max=64))
    priority = ma.fields.String(validate=V.OneOf(PRIORITIES))


class TransitionIn(ma.Schema):
    status = ma.fields.String(required=True, validate=V.OneOf(STATUSES))


class AssignIn(ma.Schema):
    assignee_id = _ref(
        allow_none=True,
        metadata={"description": "The new assignee; null takes the ticket off anyone"},
    )
    auto = ma.fields.Boolean(
        load_default=False, metadata={"description": "Choose an agent of the ticket's queue"}
    )
    strategy = ma.fields.String(
        load_default="round_robin",
        validate=V.OneOf(["round_robin", "least_loaded"]),
        metadata={"description": "How ``auto`` chooses: in turn, or fewest open tickets"},
    )


class BulkAssignIn(ma.Schema):
    ticket_ids = ma.fields.List(_ref(), required=True, validate=V.Length(min=1, max=500))
    assignee_id = _ref(
        required=True,
        allow_none=True,
        metadata={"description": "The new assignee of every ticket; null takes them off anyone"},
    )


class ClaimOut(ma.Schema):
    claimed = ma.fields.Boolean()
    ticket = ma.fields.Nested(TicketOut)


class MessageIn(ma.Schema):
    kind = ma.fields.String(load_default="reply", validate=V.OneOf(MESSAGE_KINDS))
    body = ma.fields.String(required=True, validate=V.Length(min=1, max=100_000))


class MessageOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.Integer()
    kind = ma.fields.String()
    body = ma.fields.String()
    author_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class TicketTypeIn(ma.Schema):
    code = ma.fields.String(required=True, validate=V.Regexp(r"^[a-z][a-z0-9_]{1,63}$"))
    label = ma.fields.String(required=True, validate=V.Length(min=1, max=200))
    label_zh = ma.fields.String(load_default="", validate=V.Length(max=200))
    active = ma.fields.Boolean(load_default=True)


class TicketTypeOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    label = ma.fields.String()
    label_zh = ma.fields.String()
    active = ma.fields.Boolean()


class SlaPolicyIn(ma.Schema):
    name = ma.fields.String(required=True, validate=V.Length(min=1, max=100))
    priority = ma.fields.String(allow_none=True, validate=V.OneOf(PRIORITIES))
    type_id = _ref(allow_none=True)
    first_response_minutes = ma.fields.Integer(
        required=True, strict=True, validate=V.Range(min=1, max=MAX_MINUTES)
    )
    resolution_minutes = ma.fields.Integer(
        required=True, strict=True, validate=V.Range(min=1, max=MAX_MINUTES)
    )
    calendar = ma.fields.String(
        load_default="24x7",
        validate=V.Length(min=1, max=100),
        metadata={"description": "A business calendar's name (crm calendars list), or 24x7"},
    )
    active = ma.fields.Boolean(load_default=True)


class SlaPolicyOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    priority = ma.fields.String(allow_none=True)
    type_id = ma.fields.Integer(allow_none=True)
    first_response_minutes = ma.fields.Integer()
    resolution_minutes = ma.fields.Integer()
    calendar = ma.fields.String()
    active = ma.fields.Boolean()


class LookupQuery(ma.Schema):
    phone = ma.fields.String(required=True, validate=V.Length(min=1, max=40))


class LookupOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    # The customer's number: in full only for users who may reveal it.
    phone = Masked()
    matched_by = ma.fields.String(metadata={"description": "customer or contact"})
    contact_id = ma.fields.Integer(allow_none=True)
    open_tickets = ma.fields.Integer()


class SurveyResultsQuery(ma.Schema):
    by = ma.fields.String(load_default="agent", validate=V.OneOf(("agent", "queue", "category")))


class SurveyResultOut(ma.Schema):
    key = ma.fields.String(
        allow_none=True, metadata={"description": "user id, department id or category"}
    )
    label = ma.fields.String(allow_none=True)
    answers = ma.fields.Integer()
    csat = ma.fields.Float(metadata={"description": "mean CSAT, 1–5"})
    satisfied_percent = ma.fields.Float(metadata={"description": "answers with CSAT 4 or 5"})
    nps_answers = ma.fields.Integer()
    nps = ma.fields.Integer(
        allow_none=True, metadata={"description": "promoters minus detractors, in %"}
    )


class EscalationStepIn(ma.Schema):
    name = ma.fields.String(required=True, validate=V.Length(min=1, max=100))
    after_minutes = ma.fields.Integer(
        required=True,
        strict=True,
        validate=V.Range(min=0, max=MAX_MINUTES),
        metadata={"description": "Minutes past the ticket's earliest breached due time"},
    )
    raise_priority = ma.fields.Boolean()
    department_id = _ref(allow_none=True, metadata={"description": "Move to this queue"})
    assignee_id = _ref(allow_none=True, metadata={"description": "Or hand to this user"})
    notify = ma.fields.Boolean()
    active = ma.fields.Boolean()


class EscalationStepOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    after_minutes = ma.fields.Integer()
    raise_priority = ma.fields.Boolean()
    department_id = ma.fields.Integer(allow_none=True)
    assignee_id = ma.fields.Integer(allow_none=True)
    notify = ma.fields.Boolean()
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class ReturnVisitQuery(ma.Schema):
    due = ma.fields.Boolean(
        load_default=True, metadata={"description": "Only visits due now (false: all pending)"}
    )
    mine = ma.fields.Boolean(load_default=False)


class ReturnVisitIn(ma.Schema):
    outcome = ma.fields.String(required=True, validate=V.OneOf(VISIT_OUTCOMES))
    note = ma.fields.String(allow_none=True, validate=V.Length(max=2000))


class ReturnVisitOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.Integer()
    due_at = ma.fields.DateTime()
    assignee_id = ma.fields.Integer(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    done_at = ma.fields.DateTime(allow_none=True)
    done_by_id = ma.fields.Integer(allow_none=True)


class ArticleQuery(ma.Schema):
    q = ma.fields.String(load_default="", validate=V.Length(max=300))
    category = ma.fields.String(load_default=None, validate=V.Length(max=100))
    drafts = ma.fields.Boolean(
        load_default=False, metadata={"description": "Unpublished articles too"}
    )
    limit = ma.fields.Integer(load_default=20, validate=V.Range(min=1, max=100))


class ArticleIn(ma.Schema):
    title = ma.fields.String(required=True, validate=V.Length(min=1, max=200))
    body = ma.fields.String(required=True, validate=V.Length(min=1, max=200_000))
    category = ma.fields.String(allow_none=True, validate=V.Length(max=100))
    published = ma.fields.Boolean()


class ArticleOut(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    category = ma.fields.String(allow_none=True)
    published = ma.fields.Boolean()
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PortalLinkIn(ma.Schema):
    customer_id = _ref(required=True)


class PortalLinkOut(ma.Schema):
    url = ma.fields.String(metadata={"description": "A signed link, valid 90 days"})
