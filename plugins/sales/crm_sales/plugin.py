"""Hook implementations of the sales plugin: what it contributes to the host."""

from __future__ import annotations

from typing import Any

import click
import pluggy
import sqlalchemy as sa
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm_host.sdk import (
    Customer,
    Department,
    JobRegistry,
    ObjectRegistry,
    Permission,
    User,
    can,
    get_host,
    hookimpl,
)
from crm_host.sdk.customers import ImporterRegistry
from crm_host.sdk.web import MenuItem, Panel
from crm_sales import hookspecs, orders, privacy
from crm_sales.permissions import LEADS_READ, OPPORTUNITIES_READ, PERMISSIONS, QUOTES_READ


@hookimpl
def crm_seed_demo(session: Session) -> list[str]:
    """Products, a year of orders, leads and open deals for ``crm demo``."""
    from crm_sales import demo

    return demo.seed(session)


@hookimpl
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Publish the sales hookspecs (``crm_sales_*``)."""
    pm.add_hookspecs(hookspecs)


@hookimpl
def crm_register_benchmarks(registry: Any) -> None:
    """Association rules vs mlxtend's FP-growth, for ``crm bench``."""
    from crm_sales.bench import bench_crosssell

    registry.add("crosssell", bench_crosssell, description="association rules vs mlxtend fpgrowth")


@hookimpl
def crm_register_blueprints() -> list[Blueprint]:
    """The API blueprint and the console pages."""
    from crm_sales.api import blp
    from crm_sales.views import bp

    return [blp, bp]


@hookimpl
def crm_register_objects(registry: ObjectRegistry) -> None:
    """The sales objects attachments, the timeline and notifications address."""
    from crm_sales import objects

    objects.register(registry)


@hookimpl
def crm_register_permissions() -> list[Permission]:
    """The ``sales.*`` permissions."""
    return PERMISSIONS


@hookimpl
def crm_register_commands(cli: click.Group) -> None:
    """``crm sales …``: the commands gathered in :mod:`crm_sales.cli`."""
    from crm_sales.cli import group

    for command in group.commands.values():
        cli.add_command(command)


@hookimpl
def crm_register_jobs(registry: JobRegistry) -> None:
    """The activity reminders and the expiry of quotes, and their schedules."""
    from crm_sales.jobs import register

    register(registry)


@hookimpl
def crm_register_importers(registry: ImporterRegistry) -> None:
    """``crm import sales.leads``."""
    from crm_sales.importers import LeadImporter

    registry.add("leads", LeadImporter, label="Leads")


@hookimpl
def crm_transaction_sources() -> list[sa.Select[Any]]:
    """Orders, as the host's transactions."""
    return [orders.transaction_source()]


@hookimpl
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move leads, opportunities, orders and activities to the survivor."""
    privacy.move_references(session, survivor.id, merged.id)


@hookimpl
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Pseudonymise what sales holds about the customer."""
    privacy.erase(session, customer.id)


@hookimpl
def crm_customer_export(customer_id: int) -> dict[str, Any] | None:
    """Everything sales holds about the customer."""
    return privacy.export(get_host().session, customer_id)


@hookimpl
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    """The pipeline board and the leads page."""
    return [
        MenuItem(
            label=_l("Pipeline"),
            endpoint="sales_console.pipeline_board",
            icon="funnel",
            order=20,
            permission=OPPORTUNITIES_READ,
        ),
        MenuItem(
            label=_l("Leads"),
            endpoint="sales_console.leads_page",
            icon="inbox",
            order=21,
            permission=LEADS_READ,
        ),
        MenuItem(
            label=_l("Quotes"),
            endpoint="sales_console.quotes_page",
            icon="file-text",
            order=22,
            permission=QUOTES_READ,
        ),
    ]


@hookimpl
def crm_dashboard_kpis(user: User, departments: list[Department]) -> list[dict[str, Any]]:
    """The open pipeline value, one figure per currency."""
    from crm_sales.forecast import open_value

    session = get_host().session
    if not can(session, user, OPPORTUNITIES_READ):
        return []
    totals = open_value(session)
    # One figure per currency: yuan and euros are never added together.
    return [
        {
            "label": _l("Open pipeline (%(currency)s)", currency=currency),
            "value": f"{amount:,.2f}",
            "unit": currency,
            "href": "/sales/",
        }
        for currency, amount in sorted(totals.items())
    ] or [{"label": _l("Open pipeline"), "value": "0.00", "href": "/sales/"}]


@hookimpl
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    """Open opportunities, last orders and cross-sell recommendations of the customer."""
    from crm_sales.customer_panel import panel_context

    context = panel_context(get_host().session, user, customer.id)
    if context is None:
        return []
    return [
        Panel(
            title=_l("Sales"),
            template="sales/customer_panel.html",
            context=context,
            order=30,
        )
    ]
