"""What the service API reads and answers, as marshmallow schemas, one module per
feature; every schema is re-exported here.

Lengths and ranges match the columns, so odd input is refused with a 422 before it
reaches the database.
"""

from __future__ import annotations

from crm_service.schemas.escalation import EscalationStepIn, EscalationStepOut
from crm_service.schemas.kb import ArticleIn, ArticleOut, ArticleQuery
from crm_service.schemas.lookup import LookupOut, LookupQuery
from crm_service.schemas.portal import PortalLinkIn, PortalLinkOut
from crm_service.schemas.sla import SlaPolicyIn, SlaPolicyOut
from crm_service.schemas.surveys import SurveyResultOut, SurveyResultsQuery
from crm_service.schemas.tickets import (
    AssignIn,
    BulkAssignIn,
    ClaimOut,
    ClockOut,
    MessageIn,
    MessageOut,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketQuery,
    TransitionIn,
)
from crm_service.schemas.types import TicketTypeIn, TicketTypeOut
from crm_service.schemas.visits import ReturnVisitIn, ReturnVisitOut, ReturnVisitQuery

__all__ = [
    "ArticleIn",
    "ArticleOut",
    "ArticleQuery",
    "AssignIn",
    "BulkAssignIn",
    "ClaimOut",
    "ClockOut",
    "EscalationStepIn",
    "EscalationStepOut",
    "LookupOut",
    "LookupQuery",
    "MessageIn",
    "MessageOut",
    "PortalLinkIn",
    "PortalLinkOut",
    "ReturnVisitIn",
    "ReturnVisitOut",
    "ReturnVisitQuery",
    "SlaPolicyIn",
    "SlaPolicyOut",
    "SurveyResultOut",
    "SurveyResultsQuery",
    "TicketIn",
    "TicketOut",
    "TicketPage",
    "TicketPatch",
    "TicketQuery",
    "TicketTypeIn",
    "TicketTypeOut",
    "TransitionIn",
]
