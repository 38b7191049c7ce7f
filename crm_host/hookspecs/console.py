"""Hooks shown to users: called per request, for the plugins enabled for the
union of the user's departments only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_host.hookspecs.marker import hookspec

if TYPE_CHECKING:
    from crm_host.core.models import Customer, Department, User
    from crm_host.web._menu import MenuItem, Panel


@hookspec
def crm_menu_items(user: User, departments: list[Department]) -> list[MenuItem]:
    """Return the console menu entries the plugin offers this user.

    Called per console page for the plugins enabled for at least one of
    ``departments`` (the user's departments) only. Collecting.
    """


@hookspec
def crm_customer_panels(
    customer: Customer, user: User, departments: list[Department]
) -> list[Panel]:
    """Return panels for the customer's 360° view.

    Called when a customer is shown, for the plugins enabled for at least one of the
    user's ``departments`` only. Collecting.
    """


@hookspec
def crm_dashboard_kpis(user: User, departments: list[Department]) -> list[dict[str, Any]]:
    """Return dashboard figures: dicts with ``label``, ``value`` and optional ``unit``, ``href``.

    Called when the dashboard is shown, for the plugins enabled for at least one of
    the user's ``departments`` only. Collecting.
    """
