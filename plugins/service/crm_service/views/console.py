"""What the service plugin shows elsewhere in the console: its menu entry, a 360°
panel, dashboard KPIs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from crm_host.sdk import Customer, get_host
from crm_host.sdk.web import MenuItem, Panel
from crm_service import sla, workflow
from crm_service.labels import STATUS_LABELS
from crm_service.models import Ticket
from crm_service.permissions import READ


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
            .where(is_open, sa.cast(Ticket.id, sa.String).in_(sla.breached_ids()))
        )
        or 0
    )
    href = url_for("service_console.queue")
    return [
        {"label": _l("Open tickets"), "value": open_count, "href": href},
        {"label": _l("SLA breached"), "value": breached, "href": href},
    ]
