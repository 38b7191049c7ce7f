"""The hooks of the host: the whole contract between crm-host and its plugins.

Every hook is named ``crm_*`` and takes keyword arguments only. Hooks only ever
gain arguments; a hook is deprecated, never deleted. Each docstring says when the
hook is called, what it returns, and whether it is *first-result* (the first
non-``None`` answer wins) or *collecting* (every answer is gathered).

Kinds, and what happens when an implementation fails:

* registration — called at start-up; a bad or duplicate contribution stops start-up
  with a message naming the plugin;
* shown to users — called per request for the plugins enabled for the union of the
  user's departments only;
* guards and participants — called inside the transaction of a write, with lists;
  raising aborts the write;
* events — written to the outbox with the change, delivered after commit to each
  implementation separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from sqlalchemy.orm import Session

    from crm_host.models import Customer, Department, User
    from crm_host.web.menu import MenuItem, Panel

hookspec = pluggy.HookspecMarker("crm")


# --- lifecycle -----------------------------------------------------------------


@hookspec(historic=True)
def crm_addhooks(pm: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs (named ``crm_<slug>_*``) with ``pm.add_hookspecs``.

    Historic: called once for every plugin as it is registered, so a plugin
    registered later still sees it. Collecting; the return value is ignored.
    """


@hookspec
def crm_startup(app: Flask) -> None:
    """Called once when the application has been built and every plugin loaded.

    Use it for checks that need the whole application. Collecting; the return
    value is ignored; raising stops start-up with the plugin named.
    """


# --- registration ----------------------------------------------------------------


@hookspec
def crm_register_blueprints() -> list[Blueprint]:
    """Return the plugin's blueprints; called once at start-up.

    A ``flask_smorest.Blueprint`` is an API blueprint and is mounted under
    ``/api/v1/<slug>/``; a plain ``flask.Blueprint`` is a console blueprint mounted
    under ``/<slug>/``. The host puts the department gate in front of both. A
    plugin never touches the URL map itself. Collecting: each plugin's list is
    mounted with that plugin's prefix.
    """


@hookspec
def crm_register_commands(cli: click.Group) -> None:
    """Add the plugin's commands to ``cli``, a click group named by the plugin's slug.

    Called once when the application is built (``crm <slug> …``). A plugin whose
    implementation raises has its group replaced by one that reports the error;
    the rest of the CLI keeps working. Collecting; the return value is ignored.
    """


@hookspec
def crm_register_permissions() -> list[Any]:
    """Return the permissions the plugin checks, as ``crm_host.permissions.Permission``.

    Called once at start-up. Names are ``<slug>.<object>.<action>``; the standard
    roles grant patterns such as ``*.read`` and ``*.write``, and actions named
    ``manage`` are left to administrators. A duplicate or misnamed permission stops
    start-up naming the plugin. Collecting.
    """


# --- shown to users (department-scoped) ----------------------------------------------


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


# --- guards and participants (inside the write's transaction, batch-shaped) --------------


@hookspec
def crm_validate_customers(customers: list[Customer], session: Session) -> None:
    """Veto customers about to be written by raising (``crm_host.errors.ValidationFailed``
    gives the person a message and per-field details).

    Called inside the write's transaction, once per batch — an API write is a batch
    of one, an import calls it once per batch of rows — for every installed plugin,
    whoever triggered the write. Raising aborts the whole write and the error names
    the plugin; nothing of the write remains. Collecting; the return value is ignored.
    """


@hookspec
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move the plugin's references from ``merged`` to ``survivor`` (``crm customers merge``).

    Called inside the merge's transaction, after the host moved its own rows and
    before ``merged`` is deleted, for every installed plugin. A plugin holding rows
    that point at customers must move them here: the merge is refused, naming the
    table, if any row still points at ``merged`` afterwards. Raising aborts the
    merge and the error names the plugin. Collecting; the return value is ignored.
    """


@hookspec
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Pseudonymise the personal data the plugin holds about ``customer`` (right to erasure).

    Called inside the erasure's transaction for every installed plugin, before the
    host scrubs its own rows. Keep what accounting needs (amounts, dates, ids); remove
    names, contact details and free text. Must be idempotent: erasure may run twice.
    Raising aborts the erasure and the error names the plugin. Collecting; the return
    value is ignored.
    """


# --- privacy ------------------------------------------------------------------------


@hookspec
def crm_customer_export(customer_id: int) -> dict[str, Any]:
    """Return everything the plugin holds about one customer, as JSON-ready data.

    Called for a subject-access export (``crm customers privacy-export``), for every
    installed plugin. Return a dict of section name to rows (lists of dicts), or
    ``None`` when the plugin holds nothing about customers. Every plugin whose tables
    refer to customers must implement it (a contract test checks). Collecting.
    """
