"""What users see from plugins — menus, 360° panels, KPIs — limited to their departments' plugins."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crm_host.core.host import get_host
from crm_host.core.models import Customer, User
from crm_host.web._menu import MenuItem, Panel
from crm_host.web.gate import enabled_plugins, user_departments


def menu_for(user: User) -> list[MenuItem]:
    """The navigation entries of the plugins enabled for the user's departments."""
    items: list[MenuItem] = []
    for plugin, contributed in get_host().plugins.call_each(
        "crm_menu_items", enabled_plugins(user), user=user, departments=user_departments(user)
    ):
        items.extend(replace(item, plugin=plugin) for item in contributed or ())
    return sorted(items, key=lambda item: (item.order, str(item.label)))


def panels_for(customer: Customer, user: User) -> list[Panel]:
    """The 360° panels the user's departments' plugins show for ``customer``."""
    panels: list[Panel] = []
    for _plugin, contributed in get_host().plugins.call_each(
        "crm_customer_panels",
        enabled_plugins(user),
        customer=customer,
        user=user,
        departments=user_departments(user),
    ):
        panels.extend(contributed or ())
    return sorted(panels, key=lambda panel: (panel.order, panel.title))


def kpis_for(user: User) -> list[dict[str, Any]]:
    """Dashboard figures of the user's departments' plugins, each tagged with its plugin."""
    kpis = []
    for plugin, contributed in get_host().plugins.call_each(
        "crm_dashboard_kpis", enabled_plugins(user), user=user, departments=user_departments(user)
    ):
        kpis.extend({**kpi, "plugin": plugin} for kpi in contributed or ())
    return kpis
