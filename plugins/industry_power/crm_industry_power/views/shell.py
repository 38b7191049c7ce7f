"""What the power pack shows elsewhere in the console: menu entries, dashboard KPIs and a
360° panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from crm_host.sdk import Customer, User, can, get_host
from crm_host.sdk.web import MenuItem, Panel
from crm_industry_power import permissions as p
from crm_industry_power import profiles
from crm_industry_power.models import Account, Advice, Fault, ServiceClass
from crm_industry_power.views.labels import labels


def menu_items() -> list[MenuItem]:
    """Accounts and advice in the navigation."""
    return [
        MenuItem(
            label=_l("Power accounts"),
            endpoint="power_console.accounts",
            order=50,  # type: ignore[arg-type]
            permission=p.ACCOUNTS_READ,
        ),
        MenuItem(
            label=_l("Energy advice"),
            endpoint="power_console.advice_list",
            order=51,  # type: ignore[arg-type]
            permission=p.ADVICE_READ,
        ),
        MenuItem(
            label=_l("Inspections"),
            endpoint="power_console.inspection_plans",
            order=52,  # type: ignore[arg-type]
            permission=p.INSPECTIONS_READ,
        ),
        MenuItem(
            label=_l("Service guarantees"),
            endpoint="power_console.guarantee_list",
            order=53,  # type: ignore[arg-type]
            permission=p.GUARANTEES_READ,
        ),
    ]


def dashboard_kpis(user: User) -> list[dict[str, Any]]:
    """Accounts, grid upgrades due, monthly savings on offer, faults without a ticket."""
    session = get_host().session
    kpis: list[dict[str, Any]] = []
    if can(session, user, p.ACCOUNTS_READ):
        count = session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
        kpis.append(
            {
                "label": _l("Power accounts"),
                "value": count,
                "href": url_for("power_console.accounts"),
            }
        )
    if can(session, user, p.ADVICE_READ):
        upgrades = (
            session.scalar(
                sa.select(sa.func.count()).select_from(Advice).where(Advice.rule == "grid_upgrade")
            )
            or 0
        )
        savings = session.execute(
            sa.select(Advice.currency, sa.func.sum(Advice.monthly_saving))
            .where(Advice.monthly_saving.is_not(None))
            .group_by(Advice.currency)
        ).all()
        href = url_for("power_console.advice_list")
        kpis.append({"label": _l("Grid upgrades advised"), "value": upgrades, "href": href})
        for currency, amount in savings:
            kpis.append(
                {
                    "label": _l("Savings on offer per month (%(currency)s)", currency=currency),
                    "value": f"{Decimal(amount or 0):,.2f}",
                    "unit": currency,
                    "href": href,
                }
            )
    if can(session, user, p.FAULTS_READ):
        open_faults = (
            session.scalar(
                sa.select(sa.func.count()).select_from(Fault).where(Fault.status == "recorded")
            )
            or 0
        )
        kpis.append({"label": _l("Faults without a ticket"), "value": open_faults})
    return kpis


def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """The customer's accounts and, for key customers, their equipment."""
    session = get_host().session
    if not can(session, user, p.ACCOUNTS_READ):
        return []
    rows = profiles.accounts_of(session, customer.id)
    if not rows:
        return []
    levels = dict(
        session.execute(
            sa.select(ServiceClass.account_id, ServiceClass.level).where(
                ServiceClass.account_id.in_([a.id for a in rows])
            )
        ).all()
    )
    # Equipment matters for key customers: flagged by hand, or classified key.
    equipment = [
        (account, item)
        for account, item in profiles.equipment_of(session, customer.id)
        if account.key_customer or levels.get(account.id) == "key"
    ]
    return [
        Panel(
            title=_l("Power accounts"),  # type: ignore[arg-type]
            template="power/_customer_panel.html",
            context={
                "power_accounts": rows,
                "power_equipment": equipment,
                "power_levels": levels,
                "power_customer_id": customer.id,
                **labels(),
            },
            order=50,
        )
    ]
