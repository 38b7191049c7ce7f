"""The service REST API, mounted by the host under ``/api/v1/service/``.

Reading needs ``service.tickets.read``; changing a ticket needs
``service.tickets.write`` under its record rule (own = assigned to you, department
= in your department's queue); ticket types and SLA policies are administrators'
(``service.settings.manage``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from crm_host.sdk import (
    Conflict,
    Department,
    NotFound,
    User,
    ValidationFailed,
    authorize,
    get_host,
    require,
)
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
)
from crm_service import chain, kb, lookup, objects, portal, sla, surveys, tickets, types, visits
from crm_service.models import EscalationStep, SlaPolicy, Ticket, TicketType
from crm_service.schemas import (
    ArticleIn,
    ArticleOut,
    ArticleQuery,
    AssignIn,
    BulkAssignIn,
    ClaimOut,
    EscalationStepIn,
    EscalationStepOut,
    LookupOut,
    LookupQuery,
    MessageIn,
    MessageOut,
    PortalLinkIn,
    PortalLinkOut,
    ReturnVisitIn,
    ReturnVisitOut,
    ReturnVisitQuery,
    SlaPolicyIn,
    SlaPolicyOut,
    SurveyResultOut,
    SurveyResultsQuery,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketQuery,
    TicketTypeIn,
    TicketTypeOut,
    TransitionIn,
)
from crm_service.workflow import OPEN_STATUSES

READ = "service.tickets.read"
WRITE = "service.tickets.write"
MANAGE = "service.settings.manage"

tickets_blp = Blueprint("tickets", __name__, url_prefix="/tickets", description="Service tickets")
types_blp = Blueprint(
    "ticket_types", __name__, url_prefix="/ticket-types", description="Ticket types"
)
policies_blp = Blueprint(
    "sla_policies", __name__, url_prefix="/sla-policies", description="SLA policies"
)
lookup_blp = Blueprint("lookup", __name__, url_prefix="/lookup", description="Caller lookup")
steps_blp = Blueprint(
    "escalation_steps",
    __name__,
    url_prefix="/escalation-steps",
    description="The escalation chain",
)
portal_blp = Blueprint(
    "portal_links", __name__, url_prefix="/portal-links", description="Customer portal links"
)
kb_blp = Blueprint("kb_articles", __name__, url_prefix="/kb-articles", description="Knowledge base")
visits_blp = Blueprint(
    "return_visits", __name__, url_prefix="/return-visits", description="Return visits"
)
surveys_blp = Blueprint(
    "surveys", __name__, url_prefix="/surveys", description="Satisfaction surveys"
)


def blueprints() -> list[Blueprint]:
    """Every API blueprint of the plugin."""
    return [
        tickets_blp,
        types_blp,
        policies_blp,
        lookup_blp,
        surveys_blp,
        steps_blp,
        visits_blp,
        kb_blp,
        portal_blp,
    ]


def _user() -> User:
    return current_user.user


def _session() -> Any:
    return get_host().session


def present(ticket: Ticket) -> dict[str, Any]:
    """A ticket as the API shows it: its columns, its type's code and its SLA clocks."""
    session = _session()
    data = {c.key: getattr(ticket, c.key) for c in sa.inspect(Ticket).columns}
    kind = session.get(TicketType, ticket.type_id)
    data["ticket_type"] = kind.code if kind else None
    data["clocks"] = sla.ticket_clocks(session, ticket.id)
    return data


def _writable(ticket: Ticket) -> None:
    """The record rule: the assignee, a member of the ticket's queue, or scope all."""
    authorize(
        _session(),
        _user(),
        WRITE,
        owner_id=ticket.assignee_id,
        department_ids=[ticket.department_id] if ticket.department_id else [],
        check_record=True,
    )


def _department_id(code: str) -> int:
    row = _session().scalar(sa.select(Department.id).where(Department.code == code))
    if row is None:
        raise ValidationFailed(
            f"no department {code!r}", details={"department": ["Unknown department."]}
        )
    return row


@tickets_blp.route("")
class Tickets(MethodView):
    @require(READ)
    @tickets_blp.arguments(TicketQuery, location="query")
    @tickets_blp.response(200, TicketPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List tickets, newest first; filter by status, queue, assignee, customer."""
        session = _session()
        query = sa.select(Ticket).where(objects.visible_tickets(session, _user(), READ))
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
            query = query.where(Ticket.department_id == _department_id(args["department"]))
        page = newest_first(session, query, Ticket, args)
        page["items"] = [present(t) for t in page["items"]]
        return page

    @require(WRITE)
    @tickets_blp.arguments(TicketIn)
    @tickets_blp.response(201, TicketOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a ticket; SLA clocks start by the named or best-matching policy."""
        session = _session()
        ticket = tickets.open_ticket(session, **data, source="api", actor=_user())
        session.commit()
        return present(ticket)


@tickets_blp.route("/reassignment")
class BulkReassignment(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.arguments(BulkAssignIn)
    @tickets_blp.response(200, TicketOut(many=True))
    def post(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Give many tickets to one agent (or to nobody) at once; all or none move."""
        session = _session()
        assignee = None
        if data["assignee_id"] is not None:
            assignee = session.get(User, data["assignee_id"])
            if assignee is None:
                raise ValidationFailed("no such user", details={"assignee_id": ["Unknown user."]})
        moved = tickets.reassign_many(
            session, data["ticket_ids"], assignee, actor=_user(), allowed=_writable
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
        return present(send_etag(tickets.get_ticket(_session(), ticket_id)))

    @require(WRITE, record=True)
    @tickets_blp.arguments(TicketPatch)
    @tickets_blp.response(200, TicketOut)
    @documents_if_match(tickets_blp)
    def patch(self, data: dict[str, Any], ticket_id: int) -> dict[str, Any]:
        """Change a ticket's subject, description, priority, category, channel, contact or type."""
        session = _session()
        ticket = tickets.get_ticket(session, ticket_id)
        _writable(ticket)
        check_if_match(ticket)
        tickets.update_ticket(session, ticket, data, actor=_user())
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
        session = _session()
        ticket = tickets.get_ticket(session, ticket_id)
        _writable(ticket)
        check_if_match(ticket)
        tickets.transition(session, ticket, data["status"], actor=_user())
        session.commit()
        return present(send_etag(ticket))


@tickets_blp.route("/<id:ticket_id>/claim")
class Claim(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.response(200, ClaimOut)
    @documents_if_match(tickets_blp, None)
    def post(self, ticket_id: int) -> dict[str, Any]:
        """Take an unassigned ticket; 409 when someone else was faster."""
        session = _session()
        ticket = tickets.get_ticket(session, ticket_id)
        _writable(ticket)
        check_if_match(ticket)
        if not tickets.claim(session, ticket_id, _user()):
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
        session = _session()
        ticket = tickets.get_ticket(session, ticket_id)
        _writable(ticket)
        check_if_match(ticket)
        if data["auto"]:
            if ticket.assignee_id is not None:
                tickets.assign(session, ticket, None, actor=_user())
            chosen = tickets.assign_round_robin(
                session, ticket, actor=_user(), strategy=data["strategy"]
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
            tickets.assign(session, ticket, assignee, actor=_user())
        session.commit()
        return present(send_etag(ticket))


@tickets_blp.route("/<id:ticket_id>/messages")
class Messages(MethodView):
    @require(READ)
    @tickets_blp.response(200, MessageOut(many=True))
    def get(self, ticket_id: int) -> list[Any]:
        """The ticket's replies and internal notes, oldest first."""
        session = _session()
        tickets.get_ticket(session, ticket_id)
        return tickets.messages(session, ticket_id)

    @require(WRITE, record=True)
    @tickets_blp.arguments(MessageIn)
    @tickets_blp.response(201, MessageOut)
    def post(self, data: dict[str, Any], ticket_id: int) -> Any:
        """Add a public reply (stops the first-response clock) or an internal note."""
        session = _session()
        ticket = tickets.get_ticket(session, ticket_id)
        _writable(ticket)
        message = tickets.add_message(session, ticket, **data, actor=_user())
        session.commit()
        return message


@types_blp.route("")
class TicketTypes(MethodView):
    @require(READ)
    @types_blp.response(200, TicketTypeOut(many=True))
    def get(self) -> list[Any]:
        """Every ticket type, by code."""
        session = _session()
        types.ensure_defaults(session)
        rows = list(session.scalars(sa.select(TicketType).order_by(TicketType.code)))
        session.commit()
        return rows

    @require(MANAGE)
    @types_blp.arguments(TicketTypeIn)
    @types_blp.response(201, TicketTypeOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a ticket type."""
        session = _session()
        row = types.save_type(session, data)
        session.commit()
        return row


@types_blp.route("/<id:type_id>")
class TicketTypeResource(MethodView):
    @require(MANAGE)
    @types_blp.arguments(TicketTypeIn(partial=True))
    @types_blp.response(200, TicketTypeOut)
    def patch(self, data: dict[str, Any], type_id: int) -> Any:
        """Rename a ticket type or switch it off (its tickets keep it)."""
        session = _session()
        row = session.get(TicketType, type_id)
        if row is None:
            raise NotFound(f"no ticket type with id {type_id}")
        types.save_type(session, data, row)
        session.commit()
        return row


@policies_blp.route("")
class Policies(MethodView):
    @require(READ)
    @policies_blp.response(200, SlaPolicyOut(many=True))
    def get(self) -> list[Any]:
        """Every SLA policy, by name."""
        return list(_session().scalars(sa.select(SlaPolicy).order_by(SlaPolicy.name)))

    @require(MANAGE)
    @policies_blp.arguments(SlaPolicyIn)
    @policies_blp.response(201, SlaPolicyOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an SLA policy (targets in working minutes of its calendar)."""
        session = _session()
        policy = sla.save_policy(session, data)
        session.commit()
        return policy


@policies_blp.route("/<id:policy_id>")
class PolicyResource(MethodView):
    @require(READ)
    @policies_blp.response(200, SlaPolicyOut)
    def get(self, policy_id: int) -> Any:
        """One SLA policy."""
        return sla.get_policy(_session(), policy_id)

    @require(MANAGE)
    @policies_blp.arguments(SlaPolicyIn(partial=True))
    @policies_blp.response(200, SlaPolicyOut)
    def patch(self, data: dict[str, Any], policy_id: int) -> Any:
        """Change an SLA policy; tickets already running keep the clocks they started with."""
        session = _session()
        policy = sla.save_policy(session, data, sla.get_policy(session, policy_id))
        session.commit()
        return policy


@lookup_blp.route("")
class Lookup(MethodView):
    @require("service.lookup.read")
    @lookup_blp.arguments(LookupQuery, location="query")
    @lookup_blp.response(200, LookupOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Customers with this phone number (theirs or a contact's), for a ringing phone.

        Each lookup is audited; numbers are masked without ``host.customers.reveal``.
        """
        session = _session()
        rows = lookup.by_phone(session, args["phone"])
        session.commit()
        return rows


@surveys_blp.route("/results")
class SurveyResults(MethodView):
    @require(READ)
    @surveys_blp.arguments(SurveyResultsQuery, location="query")
    @surveys_blp.response(200, SurveyResultOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Answered surveys by agent, queue or category: answers, mean CSAT, NPS."""
        return surveys.results(_session(), args["by"])


@steps_blp.route("")
class EscalationSteps(MethodView):
    @require(READ)
    @steps_blp.response(200, EscalationStepOut(many=True))
    def get(self) -> Any:
        """The escalation chain, soonest step first (inactive steps too)."""
        return (
            _session()
            .scalars(
                sa.select(EscalationStep).order_by(EscalationStep.after_minutes, EscalationStep.id)
            )
            .all()
        )

    @require(MANAGE)
    @steps_blp.arguments(EscalationStepIn)
    @steps_blp.response(201, EscalationStepOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a step: after N minutes overdue, raise, move or assign, notify."""
        session = _session()
        step = chain.save_step(session, data)
        session.commit()
        return step


@steps_blp.route("/<id:step_id>")
class EscalationStepResource(MethodView):
    @require(READ)
    @steps_blp.response(200, EscalationStepOut)
    def get(self, step_id: int) -> Any:
        """One escalation step."""
        return chain.get_step(_session(), step_id)

    @require(MANAGE)
    @steps_blp.arguments(EscalationStepIn(partial=True))
    @steps_blp.response(200, EscalationStepOut)
    def patch(self, data: dict[str, Any], step_id: int) -> Any:
        """Change a step (``active: false`` takes it out of the chain)."""
        session = _session()
        step = chain.save_step(session, data, chain.get_step(session, step_id))
        session.commit()
        return step


@visits_blp.route("")
class ReturnVisits(MethodView):
    @require(READ)
    @visits_blp.arguments(ReturnVisitQuery, location="query")
    @visits_blp.response(200, ReturnVisitOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Return visits not made yet, soonest first: due now, or all; yours, or all."""
        from crm_host.sdk import utcnow

        return visits.pending(
            _session(),
            now=utcnow() if args["due"] else None,
            assignee_id=_user().id if args["mine"] else None,
        )


@visits_blp.route("/<id:visit_id>/outcome")
class ReturnVisitOutcome(MethodView):
    @require(WRITE, record=True)
    @visits_blp.arguments(ReturnVisitIn)
    @visits_blp.response(200, ReturnVisitOut)
    def put(self, data: dict[str, Any], visit_id: int) -> Any:
        """Record what the return visit found (again to correct it)."""
        session = _session()
        visit = visits.get_visit(session, visit_id)
        _writable(tickets.get_ticket(session, visit.ticket_id))
        visits.record(session, visit, outcome=data["outcome"], note=data.get("note"), actor=_user())
        session.commit()
        return visit


@kb_blp.route("")
class Articles(MethodView):
    @require(READ)
    @kb_blp.arguments(ArticleQuery, location="query")
    @kb_blp.response(200, ArticleOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Articles matching ``q`` (a ticket's subject words), best first; newest without ``q``."""
        return kb.search(
            _session(),
            args["q"],
            category=args["category"],
            published_only=not args["drafts"],
            limit=args["limit"],
        )

    @require(MANAGE)
    @kb_blp.arguments(ArticleIn)
    @kb_blp.response(201, ArticleOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Write an article (a draft unless ``published``)."""
        session = _session()
        article = kb.save_article(session, data, actor=_user())
        session.commit()
        return article


@kb_blp.route("/<id:article_id>")
class ArticleResource(MethodView):
    @require(READ)
    @kb_blp.response(200, ArticleOut)
    def get(self, article_id: int) -> Any:
        """One article."""
        return kb.get_article(_session(), article_id)

    @require(MANAGE)
    @kb_blp.arguments(ArticleIn(partial=True))
    @kb_blp.response(200, ArticleOut)
    def patch(self, data: dict[str, Any], article_id: int) -> Any:
        """Change an article; ``published`` puts it in front of agents or takes it away."""
        session = _session()
        article = kb.save_article(session, data, kb.get_article(session, article_id))
        session.commit()
        return article


@tickets_blp.route("/<id:ticket_id>/portal-link")
class TicketPortalLink(MethodView):
    @require(WRITE, record=True)
    @tickets_blp.response(201, PortalLinkOut)
    def post(self, ticket_id: int) -> dict[str, str]:
        """A signed link on which the customer follows this ticket and replies."""
        ticket = tickets.get_ticket(_session(), ticket_id)
        _writable(ticket)
        return {"url": portal.ticket_link(ticket.id)}


@portal_blp.route("")
class PortalLinks(MethodView):
    @require(WRITE)
    @portal_blp.arguments(PortalLinkIn)
    @portal_blp.response(201, PortalLinkOut)
    def post(self, data: dict[str, Any]) -> dict[str, str]:
        """A signed link on which a customer files tickets and fault reports."""
        from crm_host.sdk import Customer

        customer = _session().get(Customer, data["customer_id"])
        if customer is None or customer.archived_at is not None:
            raise ValidationFailed(
                f"no customer with id {data['customer_id']}",
                details={"customer_id": ["Unknown customer."]},
            )
        return {"url": portal.customer_link(customer.id)}
