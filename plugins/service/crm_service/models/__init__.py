"""The service plugin's tables, one module per feature; every name is re-exported here
so ``crm_service.models.Ticket`` and the like keep working.

Every table starts with ``service_``. Foreign keys point at host tables (customers,
contacts, departments, users), but no relationship is added onto a host model.
"""

from __future__ import annotations

from crm_service.models.escalation import Escalation, EscalationStep
from crm_service.models.kb import Article
from crm_service.models.mail import MailMessage
from crm_service.models.surveys import Survey
from crm_service.models.tickets import (
    CHANNELS,
    CUSTOMER_KIND,
    MESSAGE_KINDS,
    PRIORITIES,
    SEEDED_TYPES,
    QueueCursor,
    SlaPolicy,
    Ticket,
    TicketMessage,
    TicketType,
)
from crm_service.models.visits import VISIT_OUTCOMES, ReturnVisit

__all__ = [
    "CHANNELS",
    "CUSTOMER_KIND",
    "MESSAGE_KINDS",
    "PRIORITIES",
    "SEEDED_TYPES",
    "VISIT_OUTCOMES",
    "Article",
    "Escalation",
    "EscalationStep",
    "MailMessage",
    "QueueCursor",
    "ReturnVisit",
    "SlaPolicy",
    "Survey",
    "Ticket",
    "TicketMessage",
    "TicketType",
]
