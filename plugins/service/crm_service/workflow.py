"""The ticket status flow as plain data: which status may follow which.

new → assigned → in_progress → waiting_on_customer → resolved → closed, with a
reopen from resolved or closed back to work. Kept free of the database so the
rules read (and test) as a table.
"""

from __future__ import annotations

import enum

from crm_host.sdk import Conflict, ValidationFailed


class TicketStatus(enum.StrEnum):
    """Where a ticket stands; stored by value (``crm_host.sdk.status_type``)."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


#: The statuses as plain codes, in flow order (what forms, options and messages list).
STATUSES = tuple(status.value for status in TicketStatus)
#: Statuses in which a ticket still needs work (shown in queues, counted as open).
OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_on_customer")
DONE_STATUSES = ("resolved", "closed")

ALLOWED: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "in_progress", "waiting_on_customer", "resolved"}),
    "assigned": frozenset({"new", "in_progress", "waiting_on_customer", "resolved"}),
    "in_progress": frozenset({"waiting_on_customer", "resolved"}),
    "waiting_on_customer": frozenset({"in_progress", "resolved"}),
    # Leaving resolved or closed is a reopen.
    "resolved": frozenset({"closed", "new", "in_progress"}),
    "closed": frozenset({"new", "in_progress"}),
}


def check_transition(current: str, target: str) -> None:
    """Raise :class:`Conflict` naming both statuses unless ``current`` may become ``target``."""
    if target not in STATUSES:
        raise ValidationFailed(
            f"unknown status {target!r}",
            details={"status": ["Must be one of: " + ", ".join(STATUSES) + "."]},
        )
    allowed = ALLOWED.get(current, frozenset())
    if target not in allowed:
        choices = ", ".join(s for s in STATUSES if s in allowed) or "none"
        raise Conflict(
            f"a ticket cannot go from {current} to {target}",
            details={"status": [f"From {current} the ticket can go to: {choices}."]},
        )


def is_reopen(current: str, target: str) -> bool:
    """Whether the transition takes a finished ticket back to work."""
    return current in DONE_STATUSES and target in OPEN_STATUSES
