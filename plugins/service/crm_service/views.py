"""Console pages of the service plugin (mounted by the host under ``/service/``), and
what it shows elsewhere in the console: its menu entry, a 360° panel, dashboard KPIs.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm_host.sdk import (
    CrmError,
    Customer,
    Department,
    SlaClock,
    User,
    authorize,
    get_host,
    record_filter,
    require,
)
from crm_host.sdk.web import Chart, MenuItem, Panel, chart_json, check_form_version
from crm_service import kb, lookup, portal, sla, surveys, tickets, types, visits, workflow
from crm_service.models import PRIORITIES, VISIT_OUTCOMES, ReturnVisit, Ticket, TicketType

READ = "service.tickets.read"
WRITE = "service.tickets.write"
#: Rows on the queue page; the API pages through the rest.
QUEUE_LIMIT = 200

bp = Blueprint("console", __name__, template_folder="templates")

STATUS_LABELS = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "waiting_on_customer": _l("Waiting on customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}


def _visible(user: User) -> sa.ColumnElement[bool]:
    return record_filter(
        get_host().session,
        user,
        READ,
        owner_column=Ticket.assignee_id,
        department_ids_of=lambda ids: Ticket.department_id.in_(ids),
    )


def _breached_ids() -> sa.Select[Any]:
    """Ids (as text, the clock table's type) of tickets with a breached clock."""
    return sa.select(SlaClock.object_id).where(
        SlaClock.object_type == sla.OBJECT_TYPE, SlaClock.breached_at.is_not(None)
    )


@bp.route("/")
@require(READ)
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
    breached = set(session.scalars(_breached_ids()))
    return render_template(
        "service/queue.html",
        rows=rows,
        view=view,
        breached=breached,
        statuses=STATUS_LABELS,
        priorities=PRIORITY_LABELS,
    )


@bp.route("/tickets/new", methods=["GET", "POST"])
@require(WRITE)
def new_ticket() -> str | Response:
    """Open a ticket at the phone: find the caller by number, then describe the issue."""
    session = get_host().session
    phone = request.args.get("phone", "").strip()[:40]
    callers: list[dict[str, Any]] = []
    if phone:
        try:
            # Finding a caller by number is the caller-lookup permission's (audited).
            authorize(session, current_user.user, "service.lookup.read")
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
@require(READ)
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
@require(WRITE, record=True)
def claim(ticket_id: int) -> Response:
    """Claim the ticket from the queue page or the ticket page."""

    def action(session: Any, row: Ticket) -> str:
        if tickets.claim(session, row.id, current_user.user):
            return str(_l("You have claimed this ticket."))
        raise CrmError(str(_l("Someone else has already claimed this ticket.")))

    return _act(ticket_id, action)


@bp.route("/tickets/<id:ticket_id>/status", methods=["POST"])
@require(WRITE, record=True)
def change_status(ticket_id: int) -> Response:
    """Move the ticket to the status the form names."""
    target = request.form.get("status", "")

    def action(session: Any, row: Ticket) -> str:
        tickets.transition(session, row, target, actor=current_user.user)
        return str(_l("The ticket's status has changed."))

    return _act(ticket_id, action)


@bp.route("/tickets/<id:ticket_id>/messages", methods=["POST"])
@require(WRITE, record=True)
def add_message(ticket_id: int) -> Response:
    """Add a reply or an internal note from the ticket page."""
    kind = request.form.get("kind", "reply")
    body = request.form.get("body", "")

    def action(session: Any, row: Ticket) -> str:
        tickets.add_message(session, row, kind=kind, body=body, actor=current_user.user)
        return str(_l("Your message has been added."))

    return _act(ticket_id, action)


GROUP_LABELS = {"agent": _l("By agent"), "queue": _l("By queue"), "category": _l("By category")}


@bp.route("/satisfaction")
@require(READ)
def satisfaction() -> str:
    """Survey results by agent, queue or category, as a bar chart of mean CSAT."""
    by = request.args.get("by", "agent")
    if by not in surveys.GROUPS:
        by = "agent"
    return render_template(
        "service/satisfaction.html",
        rows=surveys.results(get_host().session, by),
        by=by,
        groups=GROUP_LABELS,
        chart=Chart(str(_l("Mean CSAT")), url_for(".satisfaction_chart", by=by)),
    )


@bp.route("/satisfaction/chart")
@require(READ)
def satisfaction_chart() -> Response:
    """The chart's data: mean CSAT and answers per group."""
    by = request.args.get("by", "agent")
    if by not in surveys.GROUPS:
        by = "agent"
    rows = surveys.results(get_host().session, by)
    return chart_json(
        [row["label"] or "—" for row in rows],
        {str(_l("Mean CSAT")): [row["csat"] for row in rows]},
    )


OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "not_reached": _l("Not reached"),
    "satisfied": _l("Satisfied"),
    "not_satisfied": _l("Not satisfied"),
}


@bp.route("/return-visits")
@require(READ)
def return_visits() -> str:
    """Return visits due now (or all pending ones), soonest first, each with its form."""
    from crm_host.sdk import utcnow

    session = get_host().session
    everything = request.args.get("all") == "1"
    rows = visits.pending(session, now=None if everything else utcnow())
    found = {
        t.id: t
        for t in session.scalars(
            sa.select(Ticket).where(Ticket.id.in_([v.ticket_id for v in rows]))
        )
    }
    customers = {
        c.id: c
        for c in session.scalars(
            sa.select(Customer).where(Customer.id.in_([t.customer_id for t in found.values()]))
        )
    }
    return render_template(
        "service/return_visits.html",
        rows=[(v, found[v.ticket_id], customers[found[v.ticket_id].customer_id]) for v in rows],
        everything=everything,
        outcomes=OUTCOME_LABELS,
        order=VISIT_OUTCOMES,
    )


@bp.route("/return-visits/<id:visit_id>", methods=["POST"])
@require(WRITE, record=True)
def record_visit(visit_id: int) -> Response:
    """Record a return visit's outcome from the list."""
    session = get_host().session
    visit: ReturnVisit = visits.get_visit(session, visit_id)
    row = tickets.get_ticket(session, visit.ticket_id)
    authorize(
        session,
        current_user.user,
        WRITE,
        owner_id=row.assignee_id,
        department_ids=[row.department_id] if row.department_id else [],
        check_record=True,
    )
    try:
        visits.record(
            session,
            visit,
            outcome=request.form.get("outcome", ""),
            note=request.form.get("note"),
            actor=current_user.user,
        )
        session.commit()
        flash(str(_l("The return visit has been recorded.")))
    except CrmError as error:
        session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".return_visits"))


MANAGE = "service.settings.manage"


@bp.route("/kb")
@require(READ)
def kb_list() -> str:
    """The knowledge base: published articles, searched by words, by category."""
    q = request.args.get("q", "").strip()[:300]
    category = request.args.get("category", "").strip()[:100] or None
    session = get_host().session
    drafts = request.args.get("drafts") == "1"
    return render_template(
        "service/kb_list.html",
        articles=kb.search(session, q, category=category, published_only=not drafts, limit=50),
        q=q,
        category=category or "",
        drafts=drafts,
    )


@bp.route("/kb/suggest")
@require(READ)
def kb_suggest() -> str:
    """Articles for the subject being typed on the new-ticket form (an htmx fragment)."""
    subject = request.args.get("subject", "").strip()[:300]
    articles = kb.search(get_host().session, subject, limit=5) if subject else []
    return render_template("service/_kb_suggestions.html", articles=articles)


@bp.route("/kb/<id:article_id>")
@require(READ)
def kb_article(article_id: int) -> str:
    """One article."""
    return render_template(
        "service/kb_article.html", article=kb.get_article(get_host().session, article_id)
    )


@bp.route("/kb/new", methods=["GET", "POST"])
@require(MANAGE)
def kb_new() -> str | Response:
    """Write an article."""
    return _kb_form(None)


@bp.route("/kb/<id:article_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def kb_edit(article_id: int) -> str | Response:
    """Change an article."""
    return _kb_form(kb.get_article(get_host().session, article_id))


def _kb_form(article: Any) -> str | Response:
    session = get_host().session
    form = request.form
    if request.method == "POST":
        data = {
            "title": form.get("title", ""),
            "body": form.get("body", ""),
            "category": form.get("category") or None,
            "published": form.get("published") == "on",
        }
        try:
            saved = kb.save_article(session, data, article, actor=current_user.user)
            session.commit()
        except CrmError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            flash(str(_l("The article has been saved.")))
            return redirect(url_for(".kb_article", article_id=saved.id))
    return render_template("service/kb_form.html", article=article, form=form)


# --- elsewhere in the console ----------------------------------------------------


def menu_items() -> list[MenuItem]:
    """The ticket queue's entry in the navigation."""
    return [
        MenuItem(
            label=_l("Tickets"),  # type: ignore[arg-type]  # lazy: rendered in the user's language
            endpoint="service_console.queue",
            order=30,
            permission=READ,
        )
    ]


def customer_panels(customer: Customer) -> list[Panel]:
    """The customer's latest tickets, for the 360° view."""
    session = get_host().session
    rows = session.scalars(
        sa.select(Ticket)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.id.desc())
        .limit(10)
    ).all()
    return [
        Panel(
            title=_l("Service tickets"),  # type: ignore[arg-type]
            template="service/_customer_panel.html",
            context={"service_tickets": rows, "statuses": STATUS_LABELS},
            order=40,
        )
    ]


def dashboard_kpis() -> list[dict[str, Any]]:
    """Open tickets, and open tickets that breached an SLA target."""
    session = get_host().session
    is_open = Ticket.status.in_(workflow.OPEN_STATUSES)
    open_count = session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(is_open)) or 0
    breached = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Ticket)
            .where(is_open, sa.cast(Ticket.id, sa.String).in_(_breached_ids()))
        )
        or 0
    )
    href = url_for("service_console.queue")
    return [
        {"label": _l("Open tickets"), "value": open_count, "href": href},
        {"label": _l("SLA breached"), "value": breached, "href": href},
    ]
