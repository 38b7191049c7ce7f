"""Opening, changing and moving tickets: the service layer the API, CLI, console and
other plugins share.

Every function works in the caller's session and leaves committing to it, so a
ticket, its SLA clocks, its timeline entries, its audit entries and its events
commit together or not at all. One module per step of a ticket's life; every name is
re-exported here (``crm_service.tickets.open_ticket``…).
"""

from __future__ import annotations

from crm_service.records import OBJECT, PLUGIN, get_ticket, snapshot
from crm_service.tickets.assignment import assign, assign_round_robin, claim, reassign_many
from crm_service.tickets.changes import EDITABLE, transition, update_ticket
from crm_service.tickets.messages import add_customer_message, add_message, messages
from crm_service.tickets.opening import (
    open_ticket,
    service_departments,
    type_by_code,
)

__all__ = [
    "EDITABLE",
    "OBJECT",
    "PLUGIN",
    "add_customer_message",
    "add_message",
    "assign",
    "assign_round_robin",
    "claim",
    "get_ticket",
    "messages",
    "open_ticket",
    "reassign_many",
    "service_departments",
    "snapshot",
    "transition",
    "type_by_code",
    "update_ticket",
]
