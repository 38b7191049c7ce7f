"""What the ticket endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import PageArgs
from crm_service.models import CHANNELS, MESSAGE_KINDS, PRIORITIES
from crm_service.schemas.common import V, ref
from crm_service.workflow import STATUSES


class TicketIn(ma.Schema):
    customer_id = ref(required=True)
    ticket_type = check.Text(64, required=True, allow_blank=False, allow_none=False)
    subject = check.Text(300, required=True, allow_blank=False, allow_none=False)
    description = check.Text(100_000, multiline=True, load_default="", allow_none=False)
    priority = check.Choice(PRIORITIES, load_default="normal")
    channel = check.Choice(CHANNELS, load_default="phone")
    category = check.Text(100)
    contact_id = ref(allow_none=True)
    department = check.Text(
        64,
        allow_blank=False,
        metadata={"description": "Code of the department whose queue takes the ticket"},
    )
    sla_policy = check.Text(100, allow_blank=False)
    auto_assign = ma.fields.Boolean(load_default=False)


class TicketPatch(ma.Schema):
    subject = check.Text(300, allow_blank=False, allow_none=False)
    description = check.Text(100_000, multiline=True, allow_none=False)
    priority = check.Choice(PRIORITIES)
    channel = check.Choice(CHANNELS)
    category = check.Text(100)
    contact_id = ref(allow_none=True)
    type_id = ref()


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
    status = check.Choice(STATUSES)
    open = ma.fields.Boolean(metadata={"description": "Only tickets still needing work"})
    customer_id = ref(strict=False)
    assignee_id = ref(strict=False)
    unassigned = ma.fields.Boolean()
    department = check.Text(64, allow_blank=False, allow_none=False)
    priority = check.Choice(PRIORITIES)


class TransitionIn(ma.Schema):
    status = check.Choice(STATUSES, required=True)


class AssignIn(ma.Schema):
    assignee_id = ref(
        allow_none=True,
        metadata={"description": "The new assignee; null takes the ticket off anyone"},
    )
    auto = ma.fields.Boolean(
        load_default=False, metadata={"description": "Choose an agent of the ticket's queue"}
    )
    strategy = check.Choice(
        ("round_robin", "least_loaded"),
        load_default="round_robin",
        metadata={"description": "How ``auto`` chooses: in turn, or fewest open tickets"},
    )


class BulkAssignIn(ma.Schema):
    ticket_ids = ma.fields.List(ref(), required=True, validate=V.Length(min=1, max=500))
    assignee_id = ref(
        required=True,
        allow_none=True,
        metadata={"description": "The new assignee of every ticket; null takes them off anyone"},
    )


class ClaimOut(ma.Schema):
    claimed = ma.fields.Boolean()
    ticket = ma.fields.Nested(TicketOut)


class MessageIn(ma.Schema):
    kind = check.Choice(MESSAGE_KINDS, load_default="reply")
    body = check.Text(100_000, multiline=True, required=True, allow_blank=False, allow_none=False)


class MessageOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.Integer()
    kind = ma.fields.String()
    body = ma.fields.String()
    author_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
