"""Ticket endpoints: list, open, change, move along the flow, claim, assign and
answer tickets (``/api/v1/service/tickets``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView

from crm_host.sdk import Conflict, User, ValidationFailed, require
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
)
from crm_service import objects, tickets
from crm_service.api.blueprint import (
    check_writable,
    current_actor,
    db_session,
    department_id_of,
    present,
    tickets_blp,
)
from crm_service.models import Ticket
from crm_service.permissions import READ, WRITE
from crm_service.schemas import (
    AssignIn,
    BulkAssignIn,
    ClaimOut,
    MessageIn,
    MessageOut,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketQuery,
    TransitionIn,
)
from crm_service.workflow import OPEN_STATUSES


@tickets_blp.route("")
class Tickets(MethodView):
    @require(READ)
    @tickets_blp.arguments(TicketQuery, location="query")
    @tickets_blp.response(200, TicketPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List tickets, newest first; filter by status, queue, assignee, customer."""
        session = db_session()
        query = sa.select(Ticket).where(objects.visible_tickets(session, current_actor(), READ))
        for name in ("status", "customer_id", "assignee_id", "priority"):
            if args.get(name) is not None:
                query = query.where(getattr(Ticket, name) == args[name])
        if args.get("open") is not None:
            statuses = Ticket.status.in_(OPEN_STATUSES)
            query = query.where(statuses if args["open"] else sa.not_(statuses))
        if args.get("unassigned") is not None:
            none = Ticket.assignee_id.is_(None)
            query = query.where(none if args["unassigned"] else sa.not_(none))
        if args.get("department"):
            query = query.where(Ticket.department_id == department_id_of(args["department"]))
        page = newest_first(session, query, Ticket, args)
        page["items"] = [present(t) for t in page["items"]]
        return page

    @require(WRITE)
    @tickets_blp.arguments(TicketIn)
    @tickets_blp.response(201, TicketOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a ticket; SLA clocks start by the named or best-matching policy."""
        session = db_session()
        ticket = tickets.open_ticket(session, **data, source="api", actor=current_actor())
        session.commit()
        return present(ticket)


@tickets_blp.route("/reassignment")
class BulkReassignment(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.arguments(BulkAssignIn)
    @tickets_blp.response(200, TicketOut(many=True))
    def post(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Give many tickets to one agent (or to nobody) at once; all or none move."""
        session = db_session()
        assignee = None
        if data["assignee_id"] is not None:
            assignee = session.get(User, data["assignee_id"])
            if assignee is None:
                raise ValidationFailed("no such user", details={"assignee_id": ["Unknown user."]})
        moved = tickets.reassign_many(
            session, data["ticket_ids"], assignee, actor=current_actor(), allowed=check_writable
        )
        session.commit()
        return [present(t) for t in moved]


@tickets_blp.route("/<id:ticket_id>")
class TicketResource(MethodView):
    @require(READ)
    @tickets_blp.response(200, TicketOut)
    @documents_etag(tickets_blp)
    def get(self, ticket_id: int) -> dict[str, Any]:
        """One ticket with its SLA clocks; ``ETag`` names its version."""
        return present(send_etag(tickets.get_ticket(db_session(), ticket_id)))

    @require(WRITE, record=True)
    @tickets_blp.arguments(TicketPatch)
    @tickets_blp.response(200, TicketOut)
    @documents_if_match(tickets_blp)
    def patch(self, data: dict[str, Any], ticket_id: int) -> dict[str, Any]:
        """Change a ticket's subject, description, priority, category, channel, contact or type."""
        session = db_session()
        ticket = tickets.get_ticket(session, ticket_id)
        check_writable(ticket)
        check_if_match(ticket)
        tickets.update_ticket(session, ticket, data, actor=current_actor())
        session.commit()
        return present(send_etag(ticket))


@tickets_blp.route("/<id:ticket_id>/transitions")
class Transitions(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.arguments(TransitionIn)
    @tickets_blp.response(200, TicketOut)
    @documents_if_match(tickets_blp)
    def post(self, data: dict[str, Any], ticket_id: int) -> dict[str, Any]:
        """Move the ticket along its status flow; an illegal move is a 409 naming both ends."""
        session = db_session()
        ticket = tickets.get_ticket(session, ticket_id)
        check_writable(ticket)
        check_if_match(ticket)
        tickets.transition(session, ticket, data["status"], actor=current_actor())
        session.commit()
        return present(send_etag(ticket))


@tickets_blp.route("/<id:ticket_id>/claim")
class Claim(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.response(200, ClaimOut)
    @documents_if_match(tickets_blp, None)
    def post(self, ticket_id: int) -> dict[str, Any]:
        """Take an unassigned ticket; 409 when someone else was faster."""
        session = db_session()
        ticket = tickets.get_ticket(session, ticket_id)
        check_writable(ticket)
        check_if_match(ticket)
        if not tickets.claim(session, ticket_id, current_actor()):
            session.rollback()
            raise Conflict(
                f"ticket {ticket_id} is already taken or finished",
                details={"assignee_id": ["Claimed by someone else, or not open."]},
            )
        session.commit()
        return {"claimed": True, "ticket": present(tickets.get_ticket(session, ticket_id))}


@tickets_blp.route("/<id:ticket_id>/assignment")
class Assignment(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.arguments(AssignIn)
    @tickets_blp.response(200, TicketOut)
    @documents_if_match(tickets_blp)
    def put(self, data: dict[str, Any], ticket_id: int) -> dict[str, Any]:
        """Assign the ticket to someone, to nobody (``null``), or round robin (``auto``)."""
        session = db_session()
        ticket = tickets.get_ticket(session, ticket_id)
        check_writable(ticket)
        check_if_match(ticket)
        if data["auto"]:
            if ticket.assignee_id is not None:
                tickets.assign(session, ticket, None, actor=current_actor())
            chosen = tickets.assign_round_robin(
                session, ticket, actor=current_actor(), strategy=data["strategy"]
            )
            if chosen is None:
                raise Conflict(
                    "the ticket's queue has no agents",
                    details={"auto": ["No active agent in the ticket's department."]},
                )
        else:
            assignee = None
            if data.get("assignee_id") is not None:
                assignee = session.get(User, data["assignee_id"])
                if assignee is None:
                    raise ValidationFailed(
                        "no such user", details={"assignee_id": ["Unknown user."]}
                    )
            tickets.assign(session, ticket, assignee, actor=current_actor())
        session.commit()
        return present(send_etag(ticket))


@tickets_blp.route("/<id:ticket_id>/messages")
class Messages(MethodView):
    @require(READ)
    @tickets_blp.response(200, MessageOut(many=True))
    def get(self, ticket_id: int) -> list[Any]:
        """The ticket's replies and internal notes, oldest first."""
        session = db_session()
        tickets.get_ticket(session, ticket_id)
        return tickets.messages(session, ticket_id)

    @require(WRITE, record=True)
    @tickets_blp.arguments(MessageIn)
    @tickets_blp.response(201, MessageOut)
    def post(self, data: dict[str, Any], ticket_id: int) -> Any:
        """Add a public reply (stops the first-response clock) or an internal note."""
        session = db_session()
        ticket = tickets.get_ticket(session, ticket_id)
        check_writable(ticket)
        message = tickets.add_message(session, ticket, **data, actor=current_actor())
        session.commit()
        return message
