"""Customer portal links (``/api/v1/service/portal-links``, and a ticket's own
under ``/tickets``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crm_host.sdk import Customer, ValidationFailed, require
from crm_service import portal, tickets
from crm_service.api.blueprint import check_writable, db_session, portal_blp, tickets_blp
from crm_service.permissions import WRITE
from crm_service.schemas import PortalLinkIn, PortalLinkOut


@tickets_blp.route("/<id:ticket_id>/portal-link")
class TicketPortalLink(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.response(201, PortalLinkOut)
    def post(self, ticket_id: int) -> dict[str, str]:
        """A signed link on which the customer follows this ticket and replies."""
        ticket = tickets.get_ticket(db_session(), ticket_id)
        check_writable(ticket)
        return {"url": portal.ticket_link(ticket.id)}


@portal_blp.route("")
class PortalLinks(MethodView):
    @require(WRITE)
    @portal_blp.arguments(PortalLinkIn)
    @portal_blp.response(201, PortalLinkOut)
    def post(self, data: dict[str, Any]) -> dict[str, str]:
        """A signed link on which a customer files tickets and fault reports."""
        customer = db_session().get(Customer, data["customer_id"])
        if customer is None or customer.archived_at is not None:
            raise ValidationFailed(
                f"no customer with id {data['customer_id']}",
                details={"customer_id": ["Unknown customer."]},
            )
        return {"url": portal.customer_link(customer.id)}
