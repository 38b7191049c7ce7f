"""Console pages of tickets: the queue, opening a ticket at the phone, one ticket,
and what its forms change."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import CrmError, Customer, Department, User, authorize, get_host, record_filter
from crm_host.sdk.web import check_form_version, page
from crm_service import lookup, portal, sla, surveys, tickets, types, workflow
from crm_service.labels import PRIORITY_LABELS, STATUS_LABELS
from crm_service.models import PRIORITIES, Ticket, TicketType
from crm_service.permissions import LOOKUP, READ, WRITE
from crm_service.views.blueprint import bp

#: Rows on the queue page; the API pages through the rest.
QUEUE_LIMIT = 200


def _visible(user: User) -> sa.ColumnElement[bool]:
    return record_filter(
        get_host().session,
        user,
        READ,
        owner_column=Ticket.assignee_id,
        department_ids_of=lambda ids: Ticket.department_id.in_(ids),
    )


@bp.route("/")
@page(READ)
def queue() -> str:
    """The ticket queue: open tickets of the user's queues, most urgent and oldest first."""
    session = get_host().session
    user = current_user.user
    view = request.args.get("view", "open")
    query = (
        sa.select(Ticket, Customer.name, User.name, User.username)
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(User, User.id == Ticket.assignee_id)
        .where(_visible(user))
    )
    if view == "mine":
        query = query.where(Ticket.assignee_id == user.id)
    elif view == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    if view != "done":
        query = query.where(Ticket.status.in_(workflow.OPEN_STATUSES))
    else:
        query = query.where(Ticket.status.in_(workflow.DONE_STATUSES))
    urgency = sa.case({p: i for i, p in enumerate(PRIORITIES)}, value=Ticket.priority, else_=0)
    rows = session.execute(
        query.order_by(urgency.desc(), Ticket.created_at, Ticket.id).limit(QUEUE_LIMIT)
    ).all()
    breached = set(session.scalars(sla.breached_ids()))
    return render_template(
        "service/queue.html",
        rows=rows,
        view=view,
        breached=breached,
        statuses=STATUS_LABELS,
        priorities=PRIORITY_LABELS,
    )


@bp.route("/tickets/new", methods=["GET", "POST"])
@page(WRITE)
def new_ticket() -> str | Response:
    """Open a ticket at the phone: find the caller by number, then describe the issue."""
    session = get_host().session
    phone = request.args.get("phone", "").strip()[:40]
    callers: list[dict[str, Any]] = []
    if phone:
        try:
            # Finding a caller by number is the caller-lookup permission's (audited).
            authorize(session, current_user.user, LOOKUP)
            callers = lookup.by_phone(session, phone, actor=current_user.user)
            session.commit()
        except CrmError as error:
            flash(error.message, "error")
    form = request.form
    if request.method == "POST":
        try:
            customer_id = int(form.get("customer_id", ""))
        except ValueError:
            customer_id = 0
        try:
            row = tickets.open_ticket(
                session,
                customer_id=customer_id,
                ticket_type=form.get("ticket_type", ""),
                subject=form.get("subject", ""),
                description=form.get("description", ""),
                priority=form.get("priority", "normal"),
                channel=form.get("channel", "phone"),
                source="console",
                actor=current_user.user,
                auto_assign=form.get("auto_assign") == "on",
            )
            session.commit()
        except CrmError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            flash(str(_l("The ticket has been opened.")))
            return redirect(url_for(".ticket", ticket_id=row.id))
    types.ensure_defaults(session)
    session.commit()
    return render_template(
        "service/new_ticket.html",
        phone=phone,
        callers=callers,
        customer_id=form.get("customer_id") or request.args.get("customer_id", ""),
        kinds=session.scalars(
            sa.select(TicketType).where(TicketType.active.is_(True)).order_by(TicketType.code)
        ).all(),
        priorities=PRIORITY_LABELS,
        form=form,
    )


@bp.route("/tickets/<id:ticket_id>")
@page(READ)
def ticket(ticket_id: int) -> str:
    """One ticket: its fields, SLA clocks, messages, and what can be done next."""
    session = get_host().session
    row = tickets.get_ticket(session, ticket_id)
    survey = surveys.survey_of(session, row.id)
    return render_template(
        "service/ticket.html",
        ticket=row,
        survey=survey,
        survey_link=surveys.link(survey) if survey else None,
        follow_link=portal.ticket_link(row.id),
        customer=session.get(Customer, row.customer_id),
        kind=session.get(TicketType, row.type_id),
        assignee=session.get(User, row.assignee_id) if row.assignee_id else None,
        department=session.get(Department, row.department_id) if row.department_id else None,
        clocks=sla.ticket_clocks(session, row.id),
        messages=tickets.messages(session, row.id),
        authors={u.id: u for u in session.scalars(sa.select(User))},
        next_statuses=[s for s in workflow.STATUSES if s in workflow.ALLOWED[row.status]],
        statuses=STATUS_LABELS,
        priorities=PRIORITY_LABELS,
    )


def _act(ticket_id: int, action: Any) -> Response:
    """Run a form's change on a ticket under the record rule; errors come back as a flash."""
    session = get_host().session
    row = tickets.get_ticket(session, ticket_id)
    authorize(
        session,
        current_user.user,
        WRITE,
        owner_id=row.assignee_id,
        department_ids=[row.department_id] if row.department_id else [],
        check_record=True,
    )
    try:
        check_form_version(row, request.form)
        message = action(session, row)
        session.commit()
        if message:
            flash(message)
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".ticket", ticket_id=ticket_id))


@bp.route("/tickets/<id:ticket_id>/claim", methods=["POST"])
@page(WRITE)
def claim(ticket_id: int) -> Response:
    """Claim the ticket from the queue page or the ticket page."""

    def action(session: Any, row: Ticket) -> str:
        if tickets.claim(session, row.id, current_user.user):
            return str(_l("You have claimed this ticket."))
        raise CrmError(str(_l("Someone else has already claimed this ticket.")))

    return _act(ticket_id, action)


@bp.route("/tickets/<id:ticket_id>/status", methods=["POST"])
@page(WRITE)
def change_status(ticket_id: int) -> Response:
    """Move the ticket to the status the form names."""
    target = request.form.get("status", "")

    def action(session: Any, row: Ticket) -> str:
        tickets.transition(session, row, target, actor=current_user.user)
        return str(_l("The ticket's status has changed."))

    return _act(ticket_id, action)


@bp.route("/tickets/<id:ticket_id>/messages", methods=["POST"])
@page(WRITE)
def add_message(ticket_id: int) -> Response:
    """Add a reply or an internal note from the ticket page."""
    kind = request.form.get("kind", "reply")
    body = request.form.get("body", "")

    def action(session: Any, row: Ticket) -> str:
        tickets.add_message(session, row, kind=kind, body=body, actor=current_user.user)
        return str(_l("Your message has been added."))

    return _act(ticket_id, action)
