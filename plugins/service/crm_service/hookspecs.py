"""The hooks the service plugin publishes (added through ``crm_addhooks``).

Other plugins open tickets with :meth:`ServiceHooks.crm_service_open_ticket` and
listen to the ticket events; all take keyword arguments only.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_host.sdk import event_label, hookspec

#: The SLA clocks a breach names.
CLOCKS = ("first_response", "resolution")


class ServiceHooks:
    """Hookspecs named ``crm_service_*``."""

    @hookspec(firstresult=True)
    def crm_service_open_ticket(
        self,
        customer_id: int,
        ticket_type: str,
        subject: str,
        description: str,
        sla_policy: str | None,
        source: str,
    ) -> int | None:
        """Open a ticket for ``customer_id`` and return its id.

        Command (first-result): answered by the service plugin when it is installed,
        ``None`` otherwise. ``ticket_type`` is a type code (``fault_repair``);
        ``sla_policy`` names a policy, or ``None`` for the best match by type and
        priority; ``source`` names the caller (its plugin name). The ticket is written
        in the caller's session — ``crm_host.sdk.get_host().session`` — and commits
        with it. Bad arguments raise :class:`crm_host.sdk.ValidationFailed`.
        """

    @hookspec
    @event_label(_l("Ticket opened"))
    def crm_service_ticket_created(self, ticket_id: int, customer_ids: list[int]) -> None:
        """A ticket was opened (by any intake); ``customer_ids`` holds its customer.

        Event: delivered after commit through the outbox, once per implementation, at
        least once; ``customer_ids`` is empty for events written before it existed.
        Being about customers, it can start marketing's journeys. Collecting."""

    @hookspec
    @event_label(_l("Ticket resolved"))
    def crm_service_ticket_resolved(self, ticket_id: int, customer_ids: list[int]) -> None:
        """A ticket reached ``resolved``; ``customer_ids`` holds its customer.

        Event: delivered after commit through the outbox, once per implementation, at
        least once; ``customer_ids`` is empty for events written before it existed.
        Being about customers, it can start marketing's journeys. Collecting."""

    @hookspec
    @event_label(
        _l("Ticket SLA breached"), choose_on="clock", option=_l("SLA clock"), choices=CLOCKS
    )
    def crm_service_sla_breached(self, ticket_id: int, clock: str, customer_ids: list[int]) -> None:
        """A ticket's SLA clock (``first_response`` or ``resolution``) passed its due time;
        ``customer_ids`` holds the ticket's customer.

        Event, emitted once per breach by the ``service.check_sla`` schedule and
        delivered after commit, at least once; ``customer_ids`` is empty for events
        written before it existed. Journeys it starts may choose the clock. Collecting.
        """
