"""Hook implementations of the service plugin: what it contributes to the host."""

from __future__ import annotations

from typing import Any

import click
import pluggy
from sqlalchemy.orm import Session

from crm_host.sdk import ObjectRegistry, Permission, get_host, hookimpl
from crm_service import objects, permissions, privacy, tickets
from crm_service.hookspecs import ServiceHooks


@hookimpl
def crm_seed_demo(session: Session) -> list[str]:
    """A month of tickets in every state, and articles, for ``crm demo``."""
    from crm_service import demo

    return demo.seed(session)


@hookimpl
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Publish the service plugin's own hooks (``crm_service_*``)."""
    pm.add_hookspecs(ServiceHooks)


@hookimpl
def crm_service_open_ticket(
    customer_id: int,
    ticket_type: str,
    subject: str,
    description: str,
    sla_policy: str | None,
    source: str,
) -> int:
    """Open a ticket for another plugin in the current session; returns its id."""
    ticket = tickets.open_ticket(
        get_host().session,
        customer_id=customer_id,
        ticket_type=ticket_type,
        subject=subject,
        description=description or "",
        sla_policy=sla_policy,
        source=source,
        channel="system",
    )
    return ticket.id


@hookimpl
def crm_register_permissions() -> list[Permission]:
    """The service permissions: ``*.read``/``*.write`` roles reach the first three."""
    return list(permissions.PERMISSIONS)


@hookimpl
def crm_register_objects(registry: ObjectRegistry) -> None:
    """``service.ticket``, under its queue rule."""
    objects.register(registry)


@hookimpl
def crm_register_blueprints() -> list[Any]:
    """The REST API (``/api/v1/service/…``) and the console pages (``/service/…``)."""
    from crm_service import api, views

    return [*api.blueprints(), views.bp]


@hookimpl
def crm_register_jobs(registry: Any) -> None:
    """The SLA check every minute and the mail intake every two minutes."""
    from crm_service import jobs

    jobs.register(registry)


@hookimpl
def crm_service_ticket_resolved(ticket_id: int) -> None:
    """Mail the resolved ticket's survey link to the customer (once, however often
    the event is delivered)."""
    from crm_service import surveys

    surveys.mail_survey(get_host().session, ticket_id)


@hookimpl
def crm_register_link_handlers(registry: Any) -> None:
    """What customers reach without signing in: the satisfaction survey, filing a
    ticket, following one."""
    from flask_babel import lazy_gettext as _l

    from crm_service import portal, surveys

    registry.add(
        surveys.PURPOSE,
        surveys.handle_link,
        label=_l("Satisfaction survey"),
        fields="service/_survey_fields.html",
    )
    registry.add(
        portal.NEW,
        portal.file_ticket,
        label=_l("Report a problem or ask us"),
        fields="service/_portal_new.html",
        context=portal.new_context,
    )
    registry.add(
        portal.FOLLOW,
        portal.reply,
        label=_l("Your ticket"),
        fields="service/_portal_ticket.html",
        context=portal.follow_context,
    )


@hookimpl
def crm_register_commands(cli: click.Group) -> None:
    """``crm service tickets …``, ``crm service sla …`` and ``crm service mail …``."""
    from crm_service.cli import service

    for command in service.commands.values():
        cli.add_command(command)


@hookimpl
def crm_menu_items(user: Any, departments: list[Any]) -> list[Any]:
    """The ticket queue in the console navigation."""
    from crm_service.views import console

    return console.menu_items()


@hookimpl
def crm_customer_panels(customer: Any, user: Any, departments: list[Any]) -> list[Any]:
    """The customer's recent tickets in the 360° view."""
    from crm_service.views import console

    return console.customer_panels(customer)


@hookimpl
def crm_dashboard_kpis(user: Any, departments: list[Any]) -> list[dict[str, Any]]:
    """Open and breached tickets."""
    from crm_service.views import console

    return console.dashboard_kpis()


@hookimpl
def crm_customers_merging(survivor: Any, merged: Any, session: Any) -> None:
    """Move the merged customer's tickets to the survivor."""
    privacy.move_tickets(session, survivor, merged)


@hookimpl
def crm_customer_erasing(customer: Any, session: Any) -> None:
    """Pseudonymise the free text of the customer's tickets."""
    privacy.erase_tickets(session, customer)


@hookimpl
def crm_customer_export(customer_id: int) -> dict[str, Any] | None:
    """The customer's tickets and messages."""
    return privacy.export_tickets(get_host().session, customer_id)
