"""The service API's blueprints, one per resource, which the modules of
:mod:`crm_service.api` add their routes to, and what those routes share: the caller,
the session, a ticket as the API shows it, and the record rule a change of a ticket
passes.

One blueprint per resource (not one for the plugin) because each names its
endpoints and its section of the API document (``service_tickets.Tickets``…).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.sdk import Department, User, ValidationFailed, authorize, get_host
from crm_service import sla
from crm_service.models import Ticket, TicketType
from crm_service.permissions import WRITE

tickets_blp = Blueprint(
    "tickets", "crm_service.api", url_prefix="/tickets", description="Service tickets"
)

types_blp = Blueprint(
    "ticket_types", "crm_service.api", url_prefix="/ticket-types", description="Ticket types"
)

policies_blp = Blueprint(
    "sla_policies", "crm_service.api", url_prefix="/sla-policies", description="SLA policies"
)

lookup_blp = Blueprint(
    "lookup", "crm_service.api", url_prefix="/lookup", description="Caller lookup"
)

surveys_blp = Blueprint(
    "surveys", "crm_service.api", url_prefix="/surveys", description="Satisfaction surveys"
)

steps_blp = Blueprint(
    "escalation_steps",
    "crm_service.api",
    url_prefix="/escalation-steps",
    description="The escalation chain",
)

visits_blp = Blueprint(
    "return_visits", "crm_service.api", url_prefix="/return-visits", description="Return visits"
)

kb_blp = Blueprint(
    "kb_articles", "crm_service.api", url_prefix="/kb-articles", description="Knowledge base"
)

portal_blp = Blueprint(
    "portal_links",
    "crm_service.api",
    url_prefix="/portal-links",
    description="Customer portal links",
)


def current_actor() -> User:
    """The signed-in user the request acts for."""
    return current_user.user


def db_session() -> Any:
    """The request's database session."""
    return get_host().session


def present(ticket: Ticket) -> dict[str, Any]:
    """A ticket as the API shows it: its columns, its type's code and its SLA clocks."""
    session = db_session()
    data = {c.key: getattr(ticket, c.key) for c in sa.inspect(Ticket).columns}
    kind = session.get(TicketType, ticket.type_id)
    data["ticket_type"] = kind.code if kind else None
    data["clocks"] = sla.ticket_clocks(session, ticket.id)
    return data


def check_writable(ticket: Ticket) -> None:
    """The record rule: the assignee, a member of the ticket's queue, or scope all."""
    authorize(
        db_session(),
        current_actor(),
        WRITE,
        owner_id=ticket.assignee_id,
        department_ids=[ticket.department_id] if ticket.department_id else [],
        check_record=True,
    )


def department_id_of(code: str) -> int:
    """The id of the department with this code, or a :class:`ValidationFailed` naming it."""
    row = db_session().scalar(sa.select(Department.id).where(Department.code == code))
    if row is None:
        raise ValidationFailed(
            f"no department {code!r}", details={"department": ["Unknown department."]}
        )
    return row
