"""Hook implementations of the loyalty plugin: what it contributes to the host."""

from __future__ import annotations

from typing import Any

import click
import pluggy
from flask import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, Department, Permission, User, can, get_host, hookimpl
from crm_host.sdk.web import MenuItem, Panel
from crm_loyalty import points
from crm_loyalty.i18n import _l
from crm_loyalty.permissions import PERMISSIONS, POINTS_READ


@hookimpl
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    # Publishes crm_loyalty_points_redeemed: it declares customer_ids, so journeys can
    # start from it without the marketing plugin knowing this one.
    from crm_loyalty import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def crm_register_blueprints() -> list[Blueprint]:
    # The host mounts these under /api/v1/loyalty/ and /loyalty/ behind the department gate.
    from crm_loyalty.api import blp
    from crm_loyalty.views import bp

    return [blp, bp]


@hookimpl
def crm_register_permissions() -> list[Permission]:
    return PERMISSIONS


@hookimpl
def crm_register_commands(cli: click.Group) -> None:
    from crm_loyalty.cli import group

    for command in group.commands.values():
        cli.add_command(command)


@hookimpl
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    # Called only for users whose departments have the plugin enabled.
    return [
        MenuItem(
            label=_l("Loyalty points"),
            endpoint="loyalty_console.leaders",
            order=60,
            permission=POINTS_READ,
        )
    ]


@hookimpl
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    session = get_host().session
    account = points.account_of(session, customer.id)
    if account is None or not can(session, user, POINTS_READ):
        return []
    return [
        Panel(
            title=_l("Points: %(points)s", points=account.balance),
            template="loyalty/panel.html",
            context={"account": account},
            order=60,
        )
    ]


@hookimpl
def crm_customers_created(customer_ids: list[int]) -> None:
    # Delivered after commit, at least once: the welcome bonus is recorded under a ref
    # per customer, so a second delivery adds nothing.
    points.welcome(get_host().session, customer_ids)


@hookimpl(optionalhook=True)
def crm_sales_opportunity_won(opportunity_id: int) -> None:
    # A hook of the sales plugin, which this one only `uses`: optional, so loyalty loads
    # where sales is not installed. The deal is read through the object type sales
    # registers, neither imported nor read from sales' tables by name.
    host = get_host()
    deals = host.objects.get("sales.opportunity") if host.objects else None
    if deals is None:
        return
    session = host.session
    row = session.get(deals.model, opportunity_id)
    if row is None or row.customer_id is None:
        return
    earned = points.points_for_amount(row.amount)
    if earned > 0:
        points.move(
            session, row.customer_id, earned, "Won deal", ref=f"opportunity:{opportunity_id}"
        )


@hookimpl
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    points.merge(session, survivor.id, merged.id)


@hookimpl
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    points.erase(session, customer.id)


@hookimpl
def crm_customer_export(customer_id: int) -> dict[str, Any] | None:
    return points.export(get_host().session, customer_id)
